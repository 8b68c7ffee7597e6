import { REDIS_CLIENT, redisOptions } from '@app/common';
import { AppConfig } from '@app/config';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { RealtimeUnavailableError } from './realtime.errors';
import { parseStreamEntry, REALTIME_STREAM_KEY, type RealtimeEntry } from './realtime-events';

/** A local stream that wants every entry of the Redis stream, in order (it filters for itself). */
export interface StreamSubscriber {
  offer(entry: RealtimeEntry): void;
}

const REPLAY_PAGE = 500;
const READY_TIMEOUT_MS = 5_000;

/**
 * The fan-out of one API process: ONE blocking XREAD loop on a connection of its own reads the Redis
 * stream the workers append to and hands each entry to every local subscriber. The loop reads after
 * an explicit id (never `$`), so a reconnect to Redis loses nothing; `tail` is the last id handed out.
 */
@Injectable()
export class RealtimeHubService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RealtimeEvents');
  private readonly subscribers = new Set<StreamSubscriber>();
  private readonly key: string;
  private reader: Redis | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private tailId = '0-0';
  private started: Promise<void> | undefined;
  private markStarted: () => void = () => undefined;

  constructor(
    private readonly config: AppConfig,
    /** The shared client (its key prefix applies): replays read with it. */
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {
    // The blocking connection has no key prefix (ioredis would not prefix XREAD's keys reliably).
    this.key = `${config.redis.prefix}:${REALTIME_STREAM_KEY}`;
  }

  onApplicationBootstrap(): void {
    // A connection of its own: XREAD BLOCK holds it, so nothing else may queue behind it.
    this.reader = new Redis(
      redisOptions(this.config.redis, { maxRetriesPerRequest: null, connectionName: 'realtime-events' }),
    );
    this.started = new Promise((resolve) => (this.markStarted = resolve));
    this.loop = this.run(this.reader).catch((error: unknown) => {
      this.logger.error({ err: error }, 'the real-time event loop stopped');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.reader?.disconnect();
    await this.loop;
  }

  /** Resolves once the loop knows where the stream ends (a subscriber's starting point); 503 if Redis stays away. */
  async ready(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RealtimeUnavailableError()), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.started ?? late, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The id of the last entry handed to subscribers: a new subscriber receives everything after it. */
  get tail(): string {
    return this.tailId;
  }

  subscribe(subscriber: StreamSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Entries after `afterId`, oldest first, a page at a time (for Last-Event-ID replay). */
  async *entriesAfter(afterId: string): AsyncGenerator<RealtimeEntry> {
    let from = afterId;
    for (;;) {
      const page = await this.redis.xrange(REALTIME_STREAM_KEY, `(${from}`, '+', 'COUNT', REPLAY_PAGE);
      for (const [id, fields] of page) {
        from = id;
        const entry = parseStreamEntry(id, fields);
        if (entry) yield entry;
      }
      if (page.length < REPLAY_PAGE) return;
    }
  }

  private async run(blocking: Redis): Promise<void> {
    while (!this.stopped) {
      try {
        const last = await blocking.xrevrange(this.key, '+', '-', 'COUNT', 1);
        this.tailId = last[0]?.[0] ?? '0-0';
        this.markStarted();
        break;
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: error }, 'reading the real-time event stream failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    while (!this.stopped) {
      let result: Array<[string, Array<[string, string[]]>]> | null;
      try {
        result = await blocking.xread('COUNT', REPLAY_PAGE, 'BLOCK', 5000, 'STREAMS', this.key, this.tailId);
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: error }, 'reading the real-time event stream failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      for (const [, entries] of result ?? []) {
        for (const [id, fields] of entries) {
          this.tailId = id;
          const entry = parseStreamEntry(id, fields);
          if (!entry) continue;
          for (const subscriber of this.subscribers) subscriber.offer(entry);
        }
      }
    }
  }
}
