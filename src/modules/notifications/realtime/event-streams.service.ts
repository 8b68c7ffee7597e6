import {
  type AuthenticatedRequest,
  type Permission,
  REDIS_CLIENT,
  ROLE_PERMISSIONS,
  type Role,
  UnauthenticatedError,
} from '@app/common';
import { AppConfig } from '@app/config';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { LiveStream } from './live-stream';
import { isStreamId, type StreamAudience } from './realtime-events';
import { MalformedLastEventIdError, StreamTicketInvalidError, TooManyStreamsError } from './realtime.errors';
import { RealtimeHubService } from './realtime-hub.service';
import { SESSION_CHECK, type SessionCheck } from './session-check.port';
import { StreamTicketsService } from './stream-tickets.service';

/** How a caller asks for a stream. */
export interface StreamRequest {
  ticket?: string;
  /** `Last-Event-ID` header, or the `lastEventId` query parameter (a reconnecting browser with a new ticket). */
  lastEventId?: string;
}

/**
 * Takes a stream slot of a holder (person or guest order) in Redis, so the limit holds across
 * replicas. Slots expire unless refreshed by each heartbeat: a crashed replica's streams free theirs.
 */
const TAKE_SLOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

const permissionsOf = (role: Role): ReadonlySet<Permission> => new Set(ROLE_PERMISSIONS[role]);

/**
 * The API side of real-time events: opens `GET /v1/events` for a person (bearer token or ticket) or a
 * guest (ticket), replays from Last-Event-ID, pings every heartbeat — and on each ping re-checks the
 * person's session, so a revoked session or a disabled user loses the stream within a heartbeat.
 */
@Injectable()
export class EventStreamsService
  implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown
{
  private readonly logger = new Logger('RealtimeEvents');
  private readonly streams = new Set<LiveStream>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly hub: RealtimeHubService,
    private readonly tickets: StreamTicketsService,
    @Inject(SESSION_CHECK) private readonly sessions: SessionCheck,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.heartbeat = setInterval(() => void this.beat(), this.config.realtime.heartbeatSeconds * 1000);
    this.heartbeat.unref();
  }

  /** Ends every stream, so the HTTP server can close (its in-flight requests would never end). */
  onModuleDestroy(): void {
    this.closeAll();
  }

  beforeApplicationShutdown(): void {
    this.closeAll();
  }

  /** How many streams this process holds open (tests and metrics). */
  get openStreams(): number {
    return this.streams.size;
  }

  async open(request: AuthenticatedRequest, reply: FastifyReply, asked: StreamRequest): Promise<void> {
    // The header (an EventSource reconnecting by itself) wins over the query (a reconnect with a new ticket).
    const header = request.headers['last-event-id'];
    const lastEventId = (typeof header === 'string' ? header : asked.lastEventId)?.trim() || undefined;
    if (lastEventId !== undefined && !isStreamId(lastEventId)) throw new MalformedLastEventIdError();
    const audience = await this.audienceOf(request, asked.ticket);
    const id = randomUUID();
    const slotKey =
      audience.kind === 'user'
        ? `realtime:streams:user:${audience.userId}`
        : `realtime:streams:order:${audience.orderId}`;
    await this.takeSlot(slotKey, id);
    try {
      await this.hub.ready();
    } catch (error) {
      await this.releaseSlot(slotKey, id);
      throw error;
    }

    const output = new PassThrough();
    const stream = new LiveStream(id, slotKey, audience, output, lastEventId ?? this.hub.tail);
    stream.unsubscribe = this.hub.subscribe(stream);
    this.streams.add(stream);
    reply.raw.once('close', () => this.end(stream));
    // A client gone while the stream was set up: its 'close' came before the listener did.
    if (reply.raw.destroyed) this.end(stream);
    void reply
      .code(200)
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache, no-store, no-transform')
      // nginx (deploy/) would otherwise buffer the stream.
      .header('x-accel-buffering', 'no')
      .send(output);
    stream.write(`retry: 2000\n\n`);
    try {
      if (lastEventId !== undefined)
        for await (const entry of this.hub.entriesAfter(lastEventId)) {
          stream.handle(entry);
          // A client that takes nothing for two heartbeats is cut (it resumes from what it got).
          if (!(await stream.drain(this.config.realtime.heartbeatSeconds * 2000))) break;
        }
      stream.goLive();
    } catch (error) {
      this.logger.error({ err: error }, 'replaying real-time events failed');
      this.end(stream);
    }
  }

  private async audienceOf(
    request: AuthenticatedRequest,
    ticket: string | undefined,
  ): Promise<StreamAudience> {
    const principal = request.principal;
    if (principal?.kind === 'user') {
      const tokenEpoch = (principal.state as { tokenEpoch?: number } | undefined)?.tokenEpoch ?? 0;
      return {
        kind: 'user',
        userId: principal.userId,
        sessionId: principal.sessionId,
        tokenEpoch,
        permissions: principal.permissions,
      };
    }
    if (ticket === undefined)
      throw new UnauthenticatedError('Send a bearer token or a stream ticket (?ticket=).');
    const scope = await this.tickets.redeem(ticket);
    if (!scope) throw new StreamTicketInvalidError();
    if (scope.kind === 'guest') return scope;
    const role = await this.sessions.currentRole(scope);
    if (role === null) throw new StreamTicketInvalidError();
    return { ...scope, permissions: permissionsOf(role) };
  }

  private async takeSlot(slotKey: string, id: string): Promise<void> {
    const { maxStreamsPerUser, heartbeatSeconds } = this.config.realtime;
    const now = Date.now();
    const lifeMs = heartbeatSeconds * 3000;
    const taken = await this.redis.eval(
      TAKE_SLOT,
      1,
      slotKey,
      String(now),
      String(maxStreamsPerUser),
      String(now + lifeMs),
      id,
      String(lifeMs),
    );
    if (taken !== 1) throw new TooManyStreamsError(maxStreamsPerUser, heartbeatSeconds);
  }

  private async releaseSlot(slotKey: string, id: string): Promise<void> {
    await this.redis.zrem(slotKey, id).catch(() => undefined);
  }

  private end(stream: LiveStream): void {
    if (!this.streams.delete(stream)) return;
    stream.close();
    void this.releaseSlot(stream.slotKey, stream.id);
  }

  private closeAll(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const stream of [...this.streams]) this.end(stream);
  }

  /** Every heartbeat: a ping on each stream, its slot kept, and each person's session checked again. */
  private async beat(): Promise<void> {
    const lifeMs = this.config.realtime.heartbeatSeconds * 3000;
    const expiresAt = String(Date.now() + lifeMs);
    await Promise.all(
      [...this.streams].map(async (stream) => {
        try {
          const audience = stream.audience;
          if (audience.kind === 'user') {
            const role = await this.sessions.currentRole(audience);
            if (role === null) return this.end(stream);
            stream.audience = { ...audience, permissions: permissionsOf(role) };
          }
          stream.write(': ping\n\n');
          await this.redis.zadd(stream.slotKey, 'XX', expiresAt, stream.id);
        } catch (error) {
          // Redis away: keep the stream; the next beat checks again.
          this.logger.warn({ err: error }, 'real-time stream heartbeat failed');
        }
      }),
    );
  }
}
