import { NotFoundError, UnauthenticatedError } from '@app/common';
import { AppConfig } from '@app/config';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Who may scrape /metrics (process and runtime versions, per-route latencies, queue depths): with
 * METRICS_TOKEN set, only a request with `Authorization: Bearer <METRICS_TOKEN>` (compared in
 * constant time: both sides are hashed to 32 bytes, so neither content nor length leaks); without it,
 * anyone in development and test, and nobody in production (404, as if there were no such route).
 */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(private readonly config: AppConfig) {
    const { metrics } = config.http;
    this.expected = metrics.access === 'token' ? digest(metrics.token) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    const { metrics } = this.config.http;
    if (metrics.access === 'open') return true;
    if (metrics.access === 'off' || !this.expected) {
      throw new NotFoundError('Metrics are not served here: set METRICS_TOKEN to scrape them.');
    }
    const authorization = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    const presented = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (presented === undefined || !timingSafeEqual(digest(presented), this.expected)) {
      throw new UnauthenticatedError('Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.');
    }
    return true;
  }
}
