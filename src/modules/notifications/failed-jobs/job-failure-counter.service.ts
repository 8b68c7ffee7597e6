import { REDIS_CLIENT } from '@app/common';
import { AppConfig } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';

export interface JobFailureCount {
  queue: string;
  name: string;
  count: number;
}

/**
 * Jobs that ran out of retries, counted by queue and job name in one Redis hash: the worker (where
 * jobs fail) increments it, the API's /metrics reads it at scrape. Kept in Redis rather than in a
 * process's memory so that the count survives restarts and every API replica reports the same total.
 */
@Injectable()
export class JobFailureCounterService {
  private readonly key: string;

  constructor(
    config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {
    this.key = `${config.redis.prefix}:jobs:failed-total`;
  }

  async increment(queue: string, name: string): Promise<void> {
    await this.redis.hincrby(this.key, JSON.stringify([queue, name]), 1);
  }

  async counts(): Promise<JobFailureCount[]> {
    const fields = await this.redis.hgetall(this.key);
    return Object.entries(fields).flatMap(([field, count]) => {
      try {
        const [queue, name] = JSON.parse(field) as [string, string];
        return [{ queue, name, count: Number(count) }];
      } catch {
        return [];
      }
    });
  }
}
