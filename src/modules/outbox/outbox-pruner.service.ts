import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { OutboxRepository } from './outbox.repository';

@Injectable()
export class OutboxPrunerService {
  private static readonly BATCH = 5_000;

  constructor(
    private readonly config: AppConfig,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Deletes published rows past the retention; returns how many. Idempotent. */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.outbox.retentionHours * 3_600_000);
    let total = 0;
    for (;;) {
      const deleted = await this.outbox.deletePublishedBefore(cutoff, OutboxPrunerService.BATCH);
      total += deleted;
      if (deleted < OutboxPrunerService.BATCH) return total;
    }
  }
}
