import { decodeCursor, type Page, type RequestActor, SecretBox, toPage } from '@app/common';
import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { v7 as uuidv7 } from 'uuid';
import { AuditService } from '../../audit';
import type { CreateWebhookEndpointDto, UpdateWebhookEndpointDto } from './dto/webhook-endpoint.dto';
import {
  toWebhookEndpointResponse,
  WebhookEndpointCreatedDto,
  WebhookEndpointDto,
  WebhookSecretRotatedDto,
} from './dto/webhook.response.dto';
import type { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { resolveSafeTarget, SsrfRefusedError } from './ssrf-guard';
import { secretContext } from './webhook-messages';
import { generateWebhookSecret } from './webhook-signature';
import { WebhookEndpointNotFoundError, WebhookUrlRefusedError } from './webhooks.errors';
import { WebhooksRepository } from './webhooks.repository';

/** Staff's webhook endpoints: register, change, rotate the secret, remove — each audited. */
@Injectable()
export class AdminWebhooksService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly webhooks: WebhooksRepository,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async list(query: { limit: number; cursor?: string }): Promise<Page<WebhookEndpointDto>> {
    const beforeId = query.cursor ? decodeCursor(query.cursor, ['id']).id : undefined;
    const rows = await this.webhooks.listEndpoints(beforeId, query.limit + 1);
    return toPage(rows, query.limit, toWebhookEndpointResponse, (row) => ({ id: row.id }));
  }

  async get(id: string): Promise<WebhookEndpointDto> {
    return toWebhookEndpointResponse(await this.find(this.webhooks.manager, id));
  }

  async create(actor: RequestActor, dto: CreateWebhookEndpointDto): Promise<WebhookEndpointCreatedDto> {
    const url = await this.checkUrl(dto.url);
    const id = uuidv7();
    const secret = generateWebhookSecret();
    return this.transactions.run(async (manager) => {
      await this.webhooks.insertEndpoint(manager, {
        id,
        url,
        description: dto.description ?? null,
        eventTypes: unique(dto.eventTypes),
        enabled: true,
        disabledReason: null,
        disabledAt: null,
        secretSealed: this.box.seal(secret, secretContext(id)),
        previousSecretSealed: null,
        previousSecretExpiresAt: null,
        failingSince: null,
      });
      await this.audit.record(manager, actor, {
        action: 'webhook.created',
        target: { type: 'webhook', id },
        details: { url, eventTypes: dto.eventTypes },
      });
      return { ...toWebhookEndpointResponse(await this.find(manager, id)), secret };
    });
  }

  async update(actor: RequestActor, id: string, dto: UpdateWebhookEndpointDto): Promise<WebhookEndpointDto> {
    const url = dto.url === undefined ? undefined : await this.checkUrl(dto.url);
    return this.transactions.run(async (manager) => {
      const current = await this.lock(manager, id);
      const changes: QueryDeepPartialEntity<WebhookEndpoint> = {};
      if (url !== undefined && url !== current.url) changes.url = url;
      if (dto.eventTypes !== undefined) changes.eventTypes = unique(dto.eventTypes);
      if (dto.description !== undefined && dto.description !== current.description)
        changes.description = dto.description;
      if (dto.enabled === true && !current.enabled)
        Object.assign(changes, { enabled: true, disabledReason: null, disabledAt: null, failingSince: null });
      if (dto.enabled === false && current.enabled)
        Object.assign(changes, { enabled: false, disabledReason: 'manual', disabledAt: new Date() });
      if (Object.keys(changes).length === 0) return toWebhookEndpointResponse(current);
      await this.webhooks.updateEndpoint(manager, id, changes);
      await this.audit.record(manager, actor, {
        action: 'webhook.updated',
        target: { type: 'webhook', id },
        details: {
          fields: Object.keys(changes).filter((key) => !['disabledAt', 'failingSince'].includes(key)),
        },
      });
      return toWebhookEndpointResponse(await this.find(manager, id));
    });
  }

  async remove(actor: RequestActor, id: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const current = await this.lock(manager, id);
      await this.webhooks.deleteEndpoint(manager, id);
      await this.audit.record(manager, actor, {
        action: 'webhook.deleted',
        target: { type: 'webhook', id },
        details: { url: current.url },
      });
    });
  }

  /** A new secret; the current one keeps signing (a second signature) until the grace period ends. */
  async rotateSecret(actor: RequestActor, id: string): Promise<WebhookSecretRotatedDto> {
    const secret = generateWebhookSecret();
    const previousSecretExpiresAt = new Date(Date.now() + this.config.webhooks.secretGraceMs);
    return this.transactions.run(async (manager) => {
      const current = await this.lock(manager, id);
      await this.webhooks.updateEndpoint(manager, id, {
        secretSealed: this.box.seal(secret, secretContext(id)),
        previousSecretSealed: current.secretSealed,
        previousSecretExpiresAt,
      });
      await this.audit.record(manager, actor, {
        action: 'webhook.secret-rotated',
        target: { type: 'webhook', id },
        details: { previousSecretExpiresAt: previousSecretExpiresAt.toISOString() },
      });
      return { secret, previousSecretExpiresAt: previousSecretExpiresAt.toISOString() };
    });
  }

  /**
   * The SSRF guard at registration: scheme, credentials, and the addresses the host resolves to now
   * (checked again before every attempt). A host that does not resolve yet is accepted: its
   * deliveries fail until it does.
   */
  private async checkUrl(raw: string): Promise<string> {
    try {
      return (await resolveSafeTarget(raw, this.config.webhooks)).url.toString();
    } catch (error) {
      if (!(error instanceof SsrfRefusedError)) throw error;
      if (error.reason === 'unresolvable') return new URL(raw).toString();
      throw new WebhookUrlRefusedError(error.message, error.reason);
    }
  }

  private async find(manager: EntityManager, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.webhooks.findEndpoint(manager, id);
    if (!endpoint) throw new WebhookEndpointNotFoundError(id);
    return endpoint;
  }

  private async lock(manager: EntityManager, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.webhooks.lockEndpoint(manager, id);
    if (!endpoint) throw new WebhookEndpointNotFoundError(id);
    return endpoint;
  }
}

const unique = (values: string[]): string[] => [...new Set(values)];
