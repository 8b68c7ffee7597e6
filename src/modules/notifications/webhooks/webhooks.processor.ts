import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { type AttemptOutcome, WebhookDeliveryService } from './webhook-delivery.service';
import { type DeliverWebhookPayload, WEBHOOKS_QUEUE, WebhooksJobs } from './webhooks.jobs';

/** Delivery attempts; several at once, so one slow receiver does not hold the others up. */
@Processor(WEBHOOKS_QUEUE)
export class WebhooksProcessor {
  constructor(private readonly deliveries: WebhookDeliveryService) {}

  @Process({ name: WebhooksJobs.deliver, concurrency: 8 })
  async deliver(job: Job<DeliverWebhookPayload>): Promise<{ outcome: AttemptOutcome }> {
    return { outcome: await this.deliveries.attempt(job.data) };
  }
}
