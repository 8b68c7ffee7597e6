import { REDIS_CLIENT } from '@app/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { OutboxRepository } from './outbox.repository';

/** The marker key (under the app's Redis prefix) whose absence tells that Redis lost its data. */
export const OUTBOX_EPOCH_KEY = 'outbox:epoch';

/**
 * How far before the last moment Redis was seen whole the relay re-drives rows: a job normally runs
 * within seconds of its publication, so what Bull still held when Redis lost its data was published
 * in this window (or is delayed past it). Jobs are idempotent; those that had already run in the
 * window run again (a mail whose sent-marker went with Redis is sent again: the price of not losing one).
 */
export const REDRIVE_WINDOW_MS = 60_000;

/**
 * Redis restarted without persistence (or was flushed, or failed over to an empty replica): the Bull
 * jobs of rows the outbox had marked published are gone. The relay asks this before each pass: a
 * marker key that every relay keeps in Redis (SET NX) and that vanishes with its data. The one relay
 * whose SET NX creates it again moves the rows published since shortly before it last saw the marker
 * (and the delayed ones not yet due) back to unpublished, with their remaining delay, and publishes
 * them again under the same job ids. A first start on an empty Redis re-drives the last window too.
 */
@Injectable()
export class OutboxRedriveService {
  private readonly logger = new Logger(OutboxRedriveService.name);
  /** When this process last found the marker in place (epoch ms). */
  private lastSeenWhole: number | undefined;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Returns how many rows it re-drove (0 unless Redis lost its data since the last call). */
  async guard(now = Date.now()): Promise<number> {
    const created = await this.redis.set(OUTBOX_EPOCH_KEY, new Date(now).toISOString(), 'NX');
    const lastSeen = this.lastSeenWhole;
    this.lastSeenWhole = now;
    if (created !== 'OK') return 0;
    const since = new Date((lastSeen ?? now) - REDRIVE_WINDOW_MS);
    const count = await this.outbox.markUnpublishedSince(since);
    if (lastSeen !== undefined || count > 0)
      this.logger.warn(
        { since: since.toISOString(), rows: count },
        'Redis lost its data (the outbox marker was gone): outbox rows re-driven to Bull',
      );
    return count;
  }
}
