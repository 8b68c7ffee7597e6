import { loadConfig } from '@app/config';
import pino from 'pino';
import { Writable } from 'node:stream';
import { buildLoggerParams } from './logger-options';

function captureWith(options: pino.LoggerOptions): { logger: pino.Logger; lines: () => string } {
  let output = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      output += chunk.toString();
      callback();
    },
  });
  return { logger: pino(options, stream), lines: () => output };
}

describe('log redaction', () => {
  const { pinoHttp } = buildLoggerParams(loadConfig({ LOG_LEVEL: 'info' }), 'storekeep-api') as {
    pinoHttp: pino.LoggerOptions;
  };

  it('never writes credentials from headers', () => {
    const { logger, lines } = captureWith({ redact: pinoHttp.redact });
    logger.info({
      req: {
        headers: { authorization: 'Bearer eyJhbGciOi.secret', cookie: 'sid=abc', 'x-api-key': 'sk_live_123' },
      },
      res: { headers: { 'set-cookie': 'sid=abc' } },
    });
    expect(lines()).not.toMatch(/eyJhbGciOi|sid=abc|sk_live_123/);
    expect(lines()).toContain('[redacted]');
  });

  it('never writes password or token fields, at the top level or nested', () => {
    const { logger, lines } = captureWith({ redact: pinoHttp.redact });
    logger.info({
      password: 'hunter2-top',
      body: { newPassword: 'hunter2-nested', refreshToken: 'rt_123', user: { token: 'deep_tok' } },
      accessToken: 'at_456',
    });
    expect(lines()).not.toMatch(/hunter2|rt_123|at_456|deep_tok/);
  });

  it('never writes the values a failed query carried', () => {
    const { logger, lines } = captureWith({ redact: pinoHttp.redact, serializers: pinoHttp.serializers });
    const driverError = Object.assign(new Error("Duplicate entry 'tok_secret_1'"), {
      sql: "INSERT INTO sessions VALUES ('tok_secret_2')",
      errno: 1062,
    });
    const error = Object.assign(new Error('query failed'), {
      query: 'INSERT INTO sessions VALUES (?)',
      parameters: ['tok_secret_3'],
      sql: "INSERT INTO sessions VALUES ('tok_secret_4')",
      driverError,
    });
    logger.error({ err: error }, 'failed');
    expect(lines()).not.toMatch(/tok_secret_[234]/);
    expect(lines()).toContain('INSERT INTO sessions VALUES (?)');
    expect(lines()).toContain('1062');
  });

  it('keeps the rest of the line intact', () => {
    const { logger, lines } = captureWith({ redact: pinoHttp.redact });
    logger.info({ orderId: 'ord_1', err: { code: 'ER_DUP_ENTRY' } }, 'hello');
    expect(lines()).toContain('ord_1');
    expect(lines()).toContain('ER_DUP_ENTRY');
  });
});
