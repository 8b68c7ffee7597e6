import { AppConfig } from '@app/config';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';

/** Never logged: credentials in headers and any password, token or secret field, at any usual depth. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-cart-token"]',
  'res.headers["set-cookie"]',
  ...[
    'password',
    'newPassword',
    'currentPassword',
    'token',
    'accessToken',
    'refreshToken',
    'mfaToken',
    'secret',
  ].flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** Probes and scrapes would drown the request log; their outcomes are in /metrics. */
const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

export function buildLoggerParams(config: AppConfig, service: 'storekeep-api' | 'storekeep-worker'): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Fastify already chose the request id (genReqId); middie copies it onto the raw request.
      genReqId: (request) => request.id ?? 'unknown',
      autoLogging: {
        ignore: (request: IncomingMessage) => QUIET_PATHS.has((request.url ?? '').split('?')[0]),
      },
      customProps: () => ({ service }),
      transport: config.logPretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
    },
  };
}
