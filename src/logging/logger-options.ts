import { traceLogFields, tracingStarted } from '@app/common';
import { AppConfig } from '@app/config';
import type { Params } from 'nestjs-pino';
import { stdSerializers } from 'pino';
import type { Options } from 'pino-http';

/** Never logged: credentials in headers and any password, token or secret field, at any usual depth. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-cart-token"]',
  'req.headers["x-order-token"]',
  'req.headers["idempotency-key"]',
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

/**
 * Errors are logged without the values a query carried: TypeORM's QueryFailedError keeps its
 * `parameters` and mysql2 puts the interpolated `sql` on the error (tokens, hashes, personal data).
 * The statement with placeholders (`query`) stays, for diagnosis.
 */
export function serializeError(error: Error): Record<string, unknown> {
  const serialized = stdSerializers.err(error) as unknown as Record<string, unknown>;
  delete serialized.parameters;
  delete serialized.sql;
  const driverError = serialized.driverError;
  if (driverError && typeof driverError === 'object') {
    const { sql: _sql, parameters: _parameters, ...rest } = driverError as Record<string, unknown>;
    serialized.driverError = rest;
  }
  return serialized;
}

let destination: NodeJS.WritableStream | undefined;

/**
 * Sends the logs of processes started from now on to `stream` instead of stdout. For tests that
 * scan what was logged (e.g. that no secret ever is); undefined restores stdout.
 */
export function redirectLogs(stream: NodeJS.WritableStream | undefined): void {
  destination = stream;
}

export function buildLoggerParams(config: AppConfig, service: 'storekeep-api' | 'storekeep-worker'): Params {
  return {
    // Request logging is done by Fastify hooks (see request-logging.ts), not by the middleware.
    forRoutes: [],
    pinoHttp: withDestination({
      level: config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
      base: { service, pid: process.pid },
      // With tracing on, a line written inside a span names it (trace_id, span_id): logs join traces.
      // Off, no mixin runs at all.
      mixin: tracingStarted() ? traceLogFields : undefined,
      transport:
        config.logPretty && !destination
          ? { target: 'pino-pretty', options: { singleLine: true } }
          : undefined,
    }),
  };
}

function withDestination(options: Options): Params['pinoHttp'] {
  return destination ? [options, destination] : options;
}
