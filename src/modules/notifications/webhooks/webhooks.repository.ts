import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { WebhookAttempt } from './entities/webhook-attempt.entity';
import { WebhookDelivery, type WebhookDeliveryStatus } from './entities/webhook-delivery.entity';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';

export type NewWebhookEndpoint = Omit<WebhookEndpoint, 'createdAt' | 'updatedAt'>;
export type NewWebhookDelivery = Pick<
  WebhookDelivery,
  'id' | 'endpointId' | 'eventId' | 'eventType' | 'body'
>;
export type NewWebhookAttempt = Omit<WebhookAttempt, 'id'>;

export interface DeliveryListFilter {
  endpointId: string;
  status?: WebhookDeliveryStatus;
  before?: { createdAt: Date; id: string };
  limit: number;
}

/** The SQL of webhook endpoints, their deliveries and the attempts of each. */
@Injectable()
export class WebhooksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async insertEndpoint(manager: EntityManager, endpoint: NewWebhookEndpoint): Promise<void> {
    await manager.insert(WebhookEndpoint, endpoint);
  }

  findEndpoint(manager: EntityManager, id: string): Promise<WebhookEndpoint | null> {
    return manager.findOneBy(WebhookEndpoint, { id });
  }

  lockEndpoint(manager: EntityManager, id: string): Promise<WebhookEndpoint | null> {
    return manager.findOne(WebhookEndpoint, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  listEndpoints(beforeId: string | undefined, limit: number): Promise<WebhookEndpoint[]> {
    const query = this.manager
      .createQueryBuilder(WebhookEndpoint, 'endpoint')
      .orderBy('endpoint.id', 'DESC')
      .limit(limit);
    if (beforeId) query.where('endpoint.id < :beforeId', { beforeId });
    return query.getMany();
  }

  enabledEndpoints(): Promise<WebhookEndpoint[]> {
    return this.manager.findBy(WebhookEndpoint, { enabled: true });
  }

  async updateEndpoint(
    manager: EntityManager,
    id: string,
    changes: QueryDeepPartialEntity<WebhookEndpoint>,
  ): Promise<void> {
    await manager.update(WebhookEndpoint, { id }, changes);
  }

  /** The endpoint, its deliveries and their attempts. */
  async deleteEndpoint(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      'DELETE a FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = ?',
      [id],
    );
    await manager.delete(WebhookDelivery, { endpointId: id });
    await manager.delete(WebhookEndpoint, { id });
  }

  /** Inserts the deliveries that do not exist yet; (event, endpoint) is unique, so a redelivered event adds none. */
  async insertDeliveries(manager: EntityManager, deliveries: NewWebhookDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await manager.createQueryBuilder().insert().into(WebhookDelivery).values(deliveries).orIgnore().execute();
  }

  /** The event's deliveries no attempt has been made of yet (their first job may not exist). */
  unstartedDeliveriesOf(eventId: string): Promise<WebhookDelivery[]> {
    return this.manager.find(WebhookDelivery, {
      select: { id: true },
      where: { eventId, status: 'pending', series: 0, attemptCount: 0 },
    });
  }

  findDelivery(manager: EntityManager, id: string): Promise<WebhookDelivery | null> {
    return manager.findOneBy(WebhookDelivery, { id });
  }

  lockDelivery(manager: EntityManager, id: string): Promise<WebhookDelivery | null> {
    return manager.findOne(WebhookDelivery, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async updateDelivery(
    manager: EntityManager,
    id: string,
    changes: QueryDeepPartialEntity<WebhookDelivery>,
  ): Promise<void> {
    await manager.update(WebhookDelivery, { id }, changes);
  }

  /** Newest first, by (created_at, id). */
  listDeliveries(filter: DeliveryListFilter): Promise<WebhookDelivery[]> {
    const query = this.manager
      .createQueryBuilder(WebhookDelivery, 'delivery')
      .where('delivery.endpointId = :endpointId', { endpointId: filter.endpointId })
      .orderBy('delivery.createdAt', 'DESC')
      .addOrderBy('delivery.id', 'DESC')
      .limit(filter.limit);
    if (filter.status) query.andWhere('delivery.status = :status', { status: filter.status });
    if (filter.before)
      query.andWhere('(delivery.createdAt < :at OR (delivery.createdAt = :at AND delivery.id < :id))', {
        at: filter.before.createdAt,
        id: filter.before.id,
      });
    return query.getMany();
  }

  /** Ids of the endpoint's failed deliveries created at or after `since`, oldest first (at most `limit`). */
  async failedDeliveryIdsSince(
    manager: EntityManager,
    endpointId: string,
    since: Date,
    limit: number,
  ): Promise<string[]> {
    const recent = await manager
      .createQueryBuilder(WebhookDelivery, 'delivery')
      .select('delivery.id', 'id')
      .where('delivery.endpointId = :endpointId', { endpointId })
      .andWhere("delivery.status = 'failed'")
      .andWhere('delivery.createdAt >= :since', { since })
      .orderBy('delivery.createdAt', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return recent.map((row) => row.id);
  }

  attemptsOf(manager: EntityManager, deliveryId: string): Promise<WebhookAttempt[]> {
    return manager.find(WebhookAttempt, {
      where: { deliveryId },
      order: { series: 'ASC', attempt: 'ASC' },
    });
  }

  findAttempt(
    manager: EntityManager,
    deliveryId: string,
    series: number,
    attempt: number,
  ): Promise<WebhookAttempt | null> {
    return manager.findOneBy(WebhookAttempt, { deliveryId, series, attempt });
  }

  /** False when this attempt was already recorded (a job run again after its worker died). */
  async insertAttempt(manager: EntityManager, attempt: NewWebhookAttempt): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(WebhookAttempt)
      .values(attempt)
      .orIgnore()
      .execute();
    // MariaDB answers with the RETURNING rows (none when ignored), MySQL with a result header.
    const raw = result.raw as unknown;
    if (Array.isArray(raw)) return raw.length > 0;
    return ((raw as { affectedRows?: number }).affectedRows ?? 0) > 0;
  }
}
