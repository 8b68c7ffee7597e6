import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { DomainEventEnvelope, DomainEventHandler } from '../events/domain-event-handler';
import { matchesEventFilters } from './webhook-event-types';
import { deliveryIdFor, renderWebhookBody } from './webhook-messages';
import { WEBHOOK_RESOURCES, type WebhookResources } from './webhook-resources.port';
import { type DeliverWebhookPayload, WEBHOOKS_QUEUE, WebhooksJobs } from './webhooks.jobs';
import { WebhooksRepository } from './webhooks.repository';

/**
 * The webhooks' subscriber of domain events: one delivery per enabled endpoint whose filters match,
 * with its body rendered now (the resource as the API returns it at the time of the event), and one
 * job per delivery. A redelivered event creates no delivery (the (event, endpoint) key) and its jobs
 * dedupe on the delivery id.
 */
@Injectable()
export class WebhookFanoutService implements DomainEventHandler {
  constructor(
    private readonly webhooks: WebhooksRepository,
    @Inject(WEBHOOK_RESOURCES) private readonly resources: WebhookResources,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue<DeliverWebhookPayload>,
  ) {}

  async handle(event: DomainEventEnvelope): Promise<void> {
    const endpoints = (await this.webhooks.enabledEndpoints()).filter((endpoint) =>
      matchesEventFilters(endpoint.eventTypes, event.type),
    );
    if (endpoints.length === 0) return;
    const body = renderWebhookBody({
      id: event.id,
      type: event.type,
      timestamp: event.timestamp,
      data: await this.dataOf(event),
    });
    await this.webhooks.insertDeliveries(
      this.webhooks.manager,
      endpoints.map((endpoint) => ({
        id: deliveryIdFor(event.id, endpoint.id),
        endpointId: endpoint.id,
        eventId: event.id,
        eventType: event.type,
        body,
      })),
    );
    // Also the deliveries an earlier run of this event inserted but died before enqueueing.
    for (const delivery of await this.webhooks.unstartedDeliveriesOf(event.id))
      await this.queue.add(
        WebhooksJobs.deliver,
        { deliveryId: delivery.id, series: 0, attempt: 1 },
        { jobId: delivery.id },
      );
  }

  /** The event's own fields (ids, the move it announces) and, for orders and payments, the order. */
  private async dataOf(event: DomainEventEnvelope): Promise<object> {
    const payload = event.payload as object;
    if ('orderId' in event.payload && typeof event.payload.orderId === 'string')
      return { ...payload, order: await this.resources.order(event.payload.orderId) };
    return payload;
  }
}
