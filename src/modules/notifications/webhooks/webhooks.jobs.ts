/** The webhooks queue: one job per delivery attempt, run by the worker. */
export const WEBHOOKS_QUEUE = 'webhooks';

export const WebhooksJobs = {
  deliver: 'webhooks.deliver',
} as const;

/**
 * One attempt of one delivery. The first attempt of a new event's delivery has the delivery id as its
 * job id; retries are `<delivery id>.<series>.<attempt>`; replays and pings come through the outbox.
 */
export interface DeliverWebhookPayload {
  deliveryId: string;
  /** The delivery's attempt series (raised by each replay); a job of an older series does nothing. */
  series: number;
  /** 1 for the first attempt of the series. */
  attempt: number;
}

declare module '../../outbox/outbox-jobs' {
  interface OutboxJobs {
    [WebhooksJobs.deliver]: DeliverWebhookPayload;
  }
}
