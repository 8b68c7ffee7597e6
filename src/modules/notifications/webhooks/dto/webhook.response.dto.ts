import { ApiProperty } from '@nestjs/swagger';
import { WEBHOOK_ATTEMPT_OUTCOMES, type WebhookAttempt } from '../entities/webhook-attempt.entity';
import { WEBHOOK_DELIVERY_STATUSES, type WebhookDelivery } from '../entities/webhook-delivery.entity';
import { WEBHOOK_DISABLED_REASONS, type WebhookEndpoint } from '../entities/webhook-endpoint.entity';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export class WebhookEndpointDto {
  @ApiProperty({ example: '0190a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b' })
  id: string;

  @ApiProperty({ example: 'https://hooks.example.com/storekeep' })
  url: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ type: [String], example: ['order.*'] })
  eventTypes: string[];

  @ApiProperty()
  enabled: boolean;

  @ApiProperty({
    enum: WEBHOOK_DISABLED_REASONS,
    nullable: true,
    description:
      '`manual` (staff), `gone` (the receiver answered 410), `failing` (every delivery failed for days).',
  })
  disabledReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  disabledAt: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'Until then deliveries also carry a signature made with the secret before the last rotation.',
  })
  previousSecretExpiresAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class WebhookEndpointCreatedDto extends WebhookEndpointDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The signing secret (Standard Webhooks format). Shown only in this response: store it now.',
  })
  secret: string;
}

export class WebhookSecretRotatedDto {
  @ApiProperty({ description: 'The new signing secret. Shown only in this response.' })
  secret: string;

  @ApiProperty({ format: 'date-time', description: 'Until then the previous secret signs deliveries too.' })
  previousSecretExpiresAt: string;
}

export class WebhookEndpointPageDto {
  @ApiProperty({ type: [WebhookEndpointDto] })
  data: WebhookEndpointDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export class WebhookDeliveryDto {
  @ApiProperty({ example: 'msg_2f1c0b7e9a4d4c1f8e3b6a5d9c7e1f20', description: 'Sent as `webhook-id`.' })
  id: string;

  @ApiProperty()
  endpointId: string;

  @ApiProperty({ description: 'The event (the same for every endpoint that received it).' })
  eventId: string;

  @ApiProperty({ example: 'order.paid' })
  eventType: string;

  @ApiProperty({ enum: WEBHOOK_DELIVERY_STATUSES })
  status: string;

  @ApiProperty({ description: 'Attempts made so far, replays included.' })
  attemptCount: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextAttemptAt: string | null;

  @ApiProperty({ type: Number, nullable: true })
  lastStatusCode: number | null;

  @ApiProperty({ type: String, nullable: true })
  lastError: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deliveredAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class WebhookAttemptDto {
  @ApiProperty({ description: 'Raised by each replay.' })
  series: number;

  @ApiProperty({ description: '1 for the first attempt of the series.' })
  attempt: number;

  @ApiProperty({ format: 'date-time' })
  attemptedAt: string;

  @ApiProperty({ enum: WEBHOOK_ATTEMPT_OUTCOMES })
  outcome: string;

  @ApiProperty({ type: Number, nullable: true })
  statusCode: number | null;

  @ApiProperty()
  durationMs: number;

  @ApiProperty({ type: String, nullable: true, description: 'The start of the answer (at most 4 KiB).' })
  responseBody: string | null;

  @ApiProperty({ type: String, nullable: true })
  error: string | null;
}

export class WebhookDeliveryDetailDto extends WebhookDeliveryDto {
  @ApiProperty({ description: 'The JSON body exactly as sent (the same bytes on every attempt).' })
  body: string;

  @ApiProperty({ type: [WebhookAttemptDto] })
  attempts: WebhookAttemptDto[];
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto] })
  data: WebhookDeliveryDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export class WebhookReplayResultDto {
  @ApiProperty({ description: 'Deliveries put back in the queue.' })
  replayed: number;
}

export function toWebhookEndpointResponse(endpoint: WebhookEndpoint): WebhookEndpointDto {
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    disabledAt: iso(endpoint.disabledAt),
    previousSecretExpiresAt:
      endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > new Date()
        ? endpoint.previousSecretExpiresAt.toISOString()
        : null,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

export function toWebhookDeliveryResponse(delivery: WebhookDelivery): WebhookDeliveryDto {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attemptCount: delivery.attemptCount,
    nextAttemptAt: iso(delivery.nextAttemptAt),
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    deliveredAt: iso(delivery.deliveredAt),
    createdAt: delivery.createdAt.toISOString(),
  };
}

export function toWebhookAttemptResponse(attempt: WebhookAttempt): WebhookAttemptDto {
  return {
    series: attempt.series,
    attempt: attempt.attempt,
    attemptedAt: attempt.attemptedAt.toISOString(),
    outcome: attempt.outcome,
    statusCode: attempt.statusCode,
    durationMs: attempt.durationMs,
    responseBody: attempt.responseBody,
    error: attempt.error,
  };
}
