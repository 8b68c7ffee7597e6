import { AppConfig } from '@app/config';
import {
  createParamDecorator,
  ExecutionContext,
  Injectable,
  OnModuleInit,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

export const CSV_MEDIA_TYPE = 'text/csv';

/**
 * Lets Fastify accept `text/csv` bodies, kept as a Buffer, up to `catalog.importMaxBytes` (larger:
 * 413). Other routes do not read them: only a handler taking `@CsvFile()` does.
 */
@Injectable()
export class CsvBodyParser implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as FastifyAdapter | undefined;
    adapter?.useBodyParser(CSV_MEDIA_TYPE, false, { bodyLimit: this.config.catalog.importMaxBytes });
  }
}

/** The raw CSV body; anything not sent as `text/csv` gets 415. */
export const CsvFile = createParamDecorator((_data: unknown, context: ExecutionContext): Buffer => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== CSV_MEDIA_TYPE || !Buffer.isBuffer(request.body))
    throw new UnsupportedMediaTypeException(
      'Send the CSV file itself as the request body, with Content-Type: text/csv.',
    );
  return request.body;
});
