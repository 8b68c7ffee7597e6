import { hashToken, randomToken, REDIS_CLIENT, type AuthenticatedRequest } from '@app/common';
import { AppConfig } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { ORDER_AUDIENCE, type OrderAudience } from './order-audience.port';
import { GuestTicketNeedsOrderError, OrderNotFollowableError } from './realtime.errors';
import type { StreamSession } from './session-check.port';

/** What a ticket opens: a person's events (re-checked when used) or one guest order's. */
export type TicketScope = ({ kind: 'user' } & StreamSession) | { kind: 'guest'; orderId: string };

/**
 * Single-use, short-lived tickets for `GET /v1/events?ticket=…` (a browser's EventSource cannot send
 * an Authorization header). Stored in Redis by hash, so a Redis dump holds no usable ticket; GETDEL
 * makes the first use the only one, on whichever replica it lands.
 */
@Injectable()
export class StreamTicketsService {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(ORDER_AUDIENCE) private readonly orders: OrderAudience,
    private readonly config: AppConfig,
  ) {}

  /**
   * A ticket for the caller: a signed-in person gets one for their own feed; a guest names an order
   * and proves it with its token (404 otherwise, as the order routes answer).
   */
  async issueFor(
    request: AuthenticatedRequest,
    orderId: string | undefined,
  ): Promise<{ ticket: string; expiresIn: number }> {
    const principal = request.principal;
    if (principal?.kind === 'user') {
      const tokenEpoch = (principal.state as { tokenEpoch?: number } | undefined)?.tokenEpoch ?? 0;
      return this.issue({
        kind: 'user',
        userId: principal.userId,
        sessionId: principal.sessionId,
        tokenEpoch,
      });
    }
    if (orderId === undefined) throw new GuestTicketNeedsOrderError();
    const token = guestTokenOf(request);
    if (token === null || !(await this.orders.guestMayFollow(orderId, token)))
      throw new OrderNotFollowableError(orderId);
    return this.issue({ kind: 'guest', orderId });
  }

  async issue(scope: TicketScope): Promise<{ ticket: string; expiresIn: number }> {
    const ticket = randomToken(32);
    const expiresIn = this.config.realtime.ticketTtlSeconds;
    await this.redis.set(key(ticket), JSON.stringify(scope), 'EX', expiresIn);
    return { ticket, expiresIn };
  }

  /** The ticket's scope, once: the ticket is gone afterwards. Undefined when unknown, used or expired. */
  async redeem(ticket: string): Promise<TicketScope | undefined> {
    if (ticket.length === 0 || ticket.length > 200) return undefined;
    const stored = await this.redis.getdel(key(ticket));
    return stored === null ? undefined : (JSON.parse(stored) as TicketScope);
  }
}

/** A guest order is opened by its order token, or the token of the cart it came from (as the order routes). */
function guestTokenOf(request: AuthenticatedRequest): string | null {
  const header = request.headers['x-order-token'] ?? request.headers['x-cart-token'];
  return typeof header === 'string' && header.length > 0 && header.length <= 200 ? header : null;
}

const key = (ticket: string) => `realtime:ticket:${hashToken(ticket)}`;
