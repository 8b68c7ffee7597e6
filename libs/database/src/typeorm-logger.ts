import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLoggerContract } from 'typeorm';

/**
 * Routes TypeORM's messages into the application's structured log. Failed queries are logged
 * without their parameters: parameters can hold tokens, hashes and personal data.
 */
export class TypeOrmLogger implements TypeOrmLoggerContract {
  private readonly logger = new NestLogger('TypeORM');

  constructor(private readonly logAllQueries = false) {}

  logQuery(query: string): void {
    if (this.logAllQueries) this.logger.debug(query);
  }

  logQueryError(error: string | Error, query: string): void {
    const message = error instanceof Error ? error.message : error;
    // Client-caused constraint errors are answered as 4xx by the exception filter; keep them quiet.
    if (/Duplicate entry|foreign key constraint|CONSTRAINT .* failed/i.test(message)) {
      this.logger.debug({ query, error: message }, 'Query refused by a constraint');
      return;
    }
    this.logger.error({ query, error: message }, 'Query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ query, durationMs: time }, 'Slow query');
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(message);
    else this.logger.log(message);
  }
}
