import { AppConfig } from '@app/config';
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

export function buildLoggerParams(config: AppConfig, service: 'storekeep-api' | 'storekeep-worker'): Params {
  return {
    // Request logging is done by Fastify hooks (see request-logging.ts), not by the middleware.
    forRoutes: [],
    pinoHttp: {
      level: config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service, pid: process.pid },
      transport: config.logPretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
    },
  };
}
