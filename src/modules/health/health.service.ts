import { REDIS_CLIENT } from '@app/common';
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type { Queue } from 'bull';
import type Redis from 'ioredis';
import { MAINTENANCE_QUEUE } from '../outbox';
import { ReadinessResponseDto } from './dto/health.response.dto';
import { DependencyUnavailableError } from './health.errors';
import { HttpDrainService } from './http-drain.service';

const CHECK_TIMEOUT_MS = 1_500;

@Injectable()
export class HealthService {
  private readonly logger = new Logger(HealthService.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    private readonly drain: HttpDrainService,
  ) {}

  /** Ready when MySQL, Redis and the queue connection answer and the API is not draining; otherwise a 503 naming what is down. */
  async readiness(): Promise<ReadinessResponseDto> {
    // Draining for shutdown: out of the load balancer's rotation, whatever the dependencies say.
    if (this.drain.active) throw new DependencyUnavailableError('Not ready: shutting down.', { checks: {} });
    let result: HealthCheckResult;
    try {
      result = await this.health.check([
        () => this.database.pingCheck('mysql').withTimeout(CHECK_TIMEOUT_MS),
        () =>
          this.indicators
            .check('redis')
            .attempt(async () => {
              await this.redis.ping();
            })
            .withTimeout(CHECK_TIMEOUT_MS),
        () =>
          this.indicators
            .check('queues')
            .attempt(async () => {
              await this.queue.client.ping();
            })
            .withTimeout(CHECK_TIMEOUT_MS),
      ]);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        const failed = error.getResponse() as HealthCheckResult;
        const down = Object.entries(failed.details)
          .filter(([, check]) => check.status === 'down')
          .map(([name]) => name);
        // The reasons (host names, addresses, user names) go to the log only, never to the client.
        this.logger.warn({ checks: failed.details }, 'Not ready');
        const checks = Object.fromEntries(
          Object.entries(failed.details).map(([name, check]) => [name, { status: check.status }]),
        );
        throw new DependencyUnavailableError(`Not ready: ${down.join(', ')} unavailable.`, { checks });
      }
      throw error;
    }
    return { status: 'ok', checks: result.details as ReadinessResponseDto['checks'] };
  }
}
