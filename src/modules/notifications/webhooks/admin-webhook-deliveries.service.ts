import { decodeCursor, encodeCursor, InvalidCursorError, type Page, type RequestActor } from '@app/common';
import { TransactionContext, TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AuditService } from '../../audit';
import { OutboxService } from '../../outbox';
import type { ListWebhookDeliveriesQueryDto } from './dto/webhook-endpoint.dto';
import {
  toWebhookAttemptResponse,
  toWebhookDeliveryResponse,
  WebhookDeliveryDetailDto,
  WebhookDeliveryDto,
  WebhookReplayResultDto,
} from './dto/webhook.response.dto';
import type { WebhookDelivery } from './entities/webhook-delivery.entity';
import type { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { PING_EVENT_TYPE } from './webhook-event-types';
import { deliveryIdFor, renderWebhookBody } from './webhook-messages';
import {
  WebhookDeliveryNotFoundError,
  WebhookEndpointDisabledError,
  WebhookEndpointNotFoundError,
} from './webhooks.errors';
import { WebhooksJobs } from './webhooks.jobs';
import { WebhooksRepository } from './webhooks.repository';

/** Most failed deliveries one bulk replay puts back in the queue (call again for more). */
export const MAX_BULK_REPLAY = 1000;

/** The delivery log of an endpoint, replays and test pings. Replays start a new attempt series. */
@Injectable()
export class AdminWebhookDeliveriesService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly webhooks: WebhooksRepository,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  async list(endpointId: string, query: ListWebhookDeliveriesQueryDto): Promise<Page<WebhookDeliveryDto>> {
    await this.endpoint(endpointId);
    let before: { createdAt: Date; id: string } | undefined;
    if (query.cursor) {
      const position = decodeCursor(query.cursor, ['at', 'id'] as const);
      const createdAt = new Date(position.at);
      if (Number.isNaN(createdAt.getTime())) throw new InvalidCursorError();
      before = { createdAt, id: position.id };
    }
    const rows = await this.webhooks.listDeliveries({
      endpointId,
      status: query.status,
      before,
      limit: query.limit + 1,
    });
    const hasMore = rows.length > query.limit;
    const page = hasMore ? rows.slice(0, query.limit) : rows;
    const last = page[page.length - 1];
    return {
      data: page.map(toWebhookDeliveryResponse),
      nextCursor: hasMore ? encodeCursor({ at: last.createdAt.toISOString(), id: last.id }) : null,
    };
  }

  async get(endpointId: string, deliveryId: string): Promise<WebhookDeliveryDetailDto> {
    const manager = this.webhooks.manager;
    const delivery = await this.webhooks.findDelivery(manager, deliveryId);
    if (!delivery || delivery.endpointId !== endpointId) {
      await this.endpoint(endpointId);
      throw new WebhookDeliveryNotFoundError(deliveryId);
    }
    const attempts = await this.webhooks.attemptsOf(manager, deliveryId);
    return {
      ...toWebhookDeliveryResponse(delivery),
      body: delivery.body,
      attempts: attempts.map(toWebhookAttemptResponse),
    };
  }

  /** Sends the delivery again, with the same `webhook-id` and body, as a new series of attempts. */
  replay(actor: RequestActor, endpointId: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    return this.transactions.run(async (tx) => {
      await this.enabledEndpoint(tx, endpointId);
      const delivery = await this.webhooks.lockDelivery(tx, deliveryId);
      if (!delivery || delivery.endpointId !== endpointId) throw new WebhookDeliveryNotFoundError(deliveryId);
      await this.restart(tx, delivery);
      await this.audit.record(tx, actor, {
        action: 'webhook.delivery-replayed',
        target: { type: 'webhook', id: endpointId },
        details: { deliveryId },
      });
      return toWebhookDeliveryResponse((await this.webhooks.findDelivery(tx, deliveryId))!);
    });
  }

  /** Every failed delivery created since `since` (at most MAX_BULK_REPLAY), each as a new series. */
  replayFailed(actor: RequestActor, endpointId: string, since: Date): Promise<WebhookReplayResultDto> {
    return this.transactions.run(async (tx) => {
      await this.enabledEndpoint(tx, endpointId);
      const ids = await this.webhooks.failedDeliveryIdsSince(tx, endpointId, since, MAX_BULK_REPLAY);
      for (const id of ids) {
        const delivery = await this.webhooks.lockDelivery(tx, id);
        if (delivery?.status === 'failed') await this.restart(tx, delivery);
      }
      await this.audit.record(tx, actor, {
        action: 'webhook.failed-replayed',
        target: { type: 'webhook', id: endpointId },
        details: { since: since.toISOString(), replayed: ids.length },
      });
      return { replayed: ids.length };
    });
  }

  /** A `webhook.ping` event for this endpoint only, whatever its filters. */
  ping(actor: RequestActor, endpointId: string): Promise<WebhookDeliveryDto> {
    return this.transactions.run(async (tx) => {
      await this.enabledEndpoint(tx, endpointId);
      const eventId = `ping_${uuidv7()}`;
      const id = deliveryIdFor(eventId, endpointId);
      const body = renderWebhookBody({
        id: eventId,
        type: PING_EVENT_TYPE,
        timestamp: new Date().toISOString(),
        data: { endpointId },
      });
      await this.webhooks.insertDeliveries(tx, [
        { id, endpointId, eventId, eventType: PING_EVENT_TYPE, body },
      ]);
      await this.outbox.enqueue(tx, {
        jobName: WebhooksJobs.deliver,
        payload: { deliveryId: id, series: 0, attempt: 1 },
      });
      await this.audit.record(tx, actor, {
        action: 'webhook.pinged',
        target: { type: 'webhook', id: endpointId },
        details: { deliveryId: id },
      });
      return toWebhookDeliveryResponse((await this.webhooks.findDelivery(tx, id))!);
    });
  }

  private async restart(tx: TransactionContext, delivery: WebhookDelivery): Promise<void> {
    const series = delivery.series + 1;
    await this.webhooks.updateDelivery(tx, delivery.id, {
      status: 'pending',
      series,
      nextAttemptAt: new Date(),
      deliveredAt: null,
    });
    await this.outbox.enqueue(tx, {
      jobName: WebhooksJobs.deliver,
      payload: { deliveryId: delivery.id, series, attempt: 1 },
    });
  }

  private async endpoint(id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.webhooks.findEndpoint(this.webhooks.manager, id);
    if (!endpoint) throw new WebhookEndpointNotFoundError(id);
    return endpoint;
  }

  private async enabledEndpoint(tx: TransactionContext, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.webhooks.lockEndpoint(tx, id);
    if (!endpoint) throw new WebhookEndpointNotFoundError(id);
    if (!endpoint.enabled) throw new WebhookEndpointDisabledError(id, endpoint.disabledReason);
    return endpoint;
  }
}
