import type { Session } from './session';

/** The data of an `order.placed` event on the staff feed (see notifications/realtime). */
export interface PlacedOrder {
  orderId: string;
  number: string;
  customerId: string | null;
  total: number;
  currency: string;
}

export type FeedStatus = 'connecting' | 'live' | 'reconnecting' | 'stopped';

const MAX_BACKOFF_MS = 30_000;

/**
 * The staff event feed (`GET /v1/events`, Server-Sent Events). EventSource cannot send a bearer token,
 * so each connection takes a single-use ticket (`POST /v1/events/tickets`). A ticket is spent once the
 * stream opened: when the connection drops, the browser's own retry would be refused, so this closes
 * it and reconnects with a new ticket and the last event id seen, which replays what was missed.
 */
export class LiveOrders {
  private source: EventSource | undefined;
  private lastEventId: string | undefined;
  private backoffMs = 1_000;
  private timer: number | undefined;
  private running = false;

  constructor(
    private readonly session: Session,
    private readonly onOrder: (order: PlacedOrder, timestamp: string) => void,
    private readonly onStatus: (status: FeedStatus) => void,
  ) {}

  start(): void {
    this.running = true;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    window.clearTimeout(this.timer);
    this.source?.close();
    this.source = undefined;
    this.onStatus('stopped');
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    this.onStatus(this.lastEventId === undefined ? 'connecting' : 'reconnecting');
    let ticket: string;
    try {
      const answer = await this.session.request<{ ticket: string }>('POST', '/v1/events/tickets', {});
      if (answer.status !== 201) throw new Error(`ticket: ${answer.status}`);
      ticket = answer.body.ticket;
    } catch {
      return this.retry();
    }
    if (!this.running) return;
    const params = new URLSearchParams({ ticket });
    if (this.lastEventId) params.set('lastEventId', this.lastEventId);
    const source = new EventSource(`/v1/events?${params.toString()}`);
    this.source = source;
    source.addEventListener('ready', () => {
      this.backoffMs = 1_000;
      this.onStatus('live');
    });
    source.addEventListener('order.placed', (event: MessageEvent<string>) => {
      if (event.lastEventId) this.lastEventId = event.lastEventId;
      const message = JSON.parse(event.data) as { timestamp: string; data: PlacedOrder };
      this.onOrder(message.data, message.timestamp);
    });
    source.addEventListener('error', () => {
      source.close();
      if (this.source === source) this.source = undefined;
      this.retry();
    });
  }

  private retry(): void {
    if (!this.running || !this.session.signedIn) return;
    this.onStatus('reconnecting');
    this.timer = window.setTimeout(() => void this.connect(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }
}
