import { SecretBox } from '@app/common';
import { AppConfig } from '@app/config';
import { TransactionContext, TransactionRunner } from '@app/database';
import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { OutboxService } from '../../outbox';
import { MailJobs, type SendMailPayload } from '../mail/mail.jobs';
import type { WebhookAttempt } from './entities/webhook-attempt.entity';
import type { WebhookDelivery } from './entities/webhook-delivery.entity';
import type { WebhookDisabledReason, WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { activeSecrets } from './webhook-messages';
import { type AttemptResult, WebhookSenderService } from './webhook-sender.service';
import { type DeliverWebhookPayload, WEBHOOKS_QUEUE, WebhooksJobs } from './webhooks.jobs';
import { WebhooksRepository } from './webhooks.repository';

/** The delay before the retry after `attempt` (1-based), with ±10 % jitter so retries spread out. */
export function retryDelayMs(
  schedule: readonly number[],
  attempt: number,
  random = Math.random,
): number | null {
  const base = schedule[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.9 + 0.2 * random()));
}

export type AttemptOutcome = 'stale' | WebhookDelivery['status'];

/**
 * Runs one attempt of a delivery and records it. Idempotent per (delivery, series, attempt): a job
 * run again after its worker died finds its attempt recorded and only schedules what follows.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly webhooks: WebhooksRepository,
    private readonly sender: WebhookSenderService,
    private readonly box: SecretBox,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue<DeliverWebhookPayload>,
  ) {}

  async attempt(job: DeliverWebhookPayload): Promise<AttemptOutcome> {
    const manager = this.webhooks.manager;
    const delivery = await this.webhooks.findDelivery(manager, job.deliveryId);
    if (!delivery || delivery.series !== job.series) return 'stale';
    const recorded = await this.webhooks.findAttempt(manager, delivery.id, job.series, job.attempt);
    if (!recorded) {
      if (delivery.status !== 'pending') return 'stale';
      const endpoint = await this.webhooks.findEndpoint(manager, delivery.endpointId);
      if (!endpoint) return 'stale';
      const result: AttemptResult = endpoint.enabled
        ? await this.sender.send(endpoint.url, delivery.id, delivery.body, activeSecrets(this.box, endpoint))
        : {
            outcome: 'refused',
            statusCode: null,
            durationMs: 0,
            responseBody: null,
            error: 'the endpoint is disabled',
          };
      await this.record(job, result);
    }
    const after = await this.webhooks.findDelivery(manager, job.deliveryId);
    if (after?.status === 'pending' && after.series === job.series && after.nextAttemptAt) {
      const next = { deliveryId: after.id, series: job.series, attempt: job.attempt + 1 };
      await this.queue.add(WebhooksJobs.deliver, next, {
        jobId: `${after.id}.${next.series}.${next.attempt}`,
        delay: Math.max(0, after.nextAttemptAt.getTime() - Date.now()),
      });
    }
    return after?.series === job.series ? after.status : 'stale';
  }

  /** The attempt, the delivery's new state and, when it comes to that, the endpoint disabled. */
  private async record(job: DeliverWebhookPayload, result: AttemptResult): Promise<void> {
    const now = new Date();
    await this.transactions.run(async (tx) => {
      const delivery = await this.webhooks.lockDelivery(tx, job.deliveryId);
      if (!delivery) return;
      const inserted = await this.webhooks.insertAttempt(tx, {
        deliveryId: delivery.id,
        series: job.series,
        attempt: job.attempt,
        attemptedAt: now,
        outcome: result.outcome,
        statusCode: result.statusCode,
        durationMs: result.durationMs,
        responseBody: result.responseBody,
        error: result.error?.slice(0, 512) ?? null,
      } satisfies Omit<WebhookAttempt, 'id'>);
      if (!inserted || delivery.series !== job.series || delivery.status !== 'pending') return;
      const endpoint = await this.webhooks.lockEndpoint(tx, delivery.endpointId);
      const changes: QueryDeepPartialEntity<WebhookDelivery> = {
        attemptCount: delivery.attemptCount + 1,
        lastStatusCode: result.statusCode,
        lastError: result.error?.slice(0, 512) ?? null,
        nextAttemptAt: null,
      };
      let disable: WebhookDisabledReason | null = null;
      if (result.outcome === 'delivered') {
        Object.assign(changes, { status: 'delivered', deliveredAt: now });
        if (endpoint?.failingSince)
          await this.webhooks.updateEndpoint(tx, endpoint.id, { failingSince: null });
      } else {
        const delay =
          result.outcome === 'failed'
            ? retryDelayMs(this.config.webhooks.retryScheduleMs, job.attempt)
            : null;
        if (delay !== null) Object.assign(changes, { nextAttemptAt: new Date(now.getTime() + delay) });
        else changes.status = 'failed';
        if (endpoint?.enabled) {
          const failingSince = endpoint.failingSince ?? now;
          if (!endpoint.failingSince) await this.webhooks.updateEndpoint(tx, endpoint.id, { failingSince });
          if (result.outcome === 'gone') disable = 'gone';
          else if (
            delay === null &&
            now.getTime() - failingSince.getTime() >= this.config.webhooks.disableAfterFailingMs
          )
            disable = 'failing';
        }
      }
      await this.webhooks.updateDelivery(tx, delivery.id, changes);
      if (disable && endpoint) await this.disable(tx, endpoint, disable, now);
    });
  }

  private async disable(
    tx: TransactionContext,
    endpoint: WebhookEndpoint,
    reason: WebhookDisabledReason,
    now: Date,
  ): Promise<void> {
    await this.webhooks.updateEndpoint(tx, endpoint.id, {
      enabled: false,
      disabledReason: reason,
      disabledAt: now,
    });
    this.logger.warn({ endpointId: endpoint.id, reason }, 'webhook endpoint disabled');
    const mail: SendMailPayload<'webhook-disabled'> = {
      template: 'webhook-disabled',
      to: this.config.catalog.staffAlertEmail,
      data: { endpointId: endpoint.id, url: endpoint.url, reason },
      sealedSecrets: {},
    };
    await this.outbox.enqueue(tx, { jobName: MailJobs.send, payload: mail });
  }
}
