import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
import { InvalidatedCopy, type InvalidatedCopyOptions, type InvalidationSource } from './invalidated-copy';

const INVALIDATE_CHANNEL = '__redis__:invalidate';

export interface InvalidationLinkOptions {
  /** How often the link is pinged; a ping unanswered for two intervals counts as a lost link. */
  heartbeatMs?: number;
}

/**
 * Redis's own report of changed keys, for process copies of Redis state (DESIGN.md, Processes):
 * one connection per process with client-side caching in broadcast mode (`CLIENT TRACKING ON
 * REDIRECT <itself> BCAST PREFIX …` for every copy's prefix, then SUBSCRIBE
 * `__redis__:invalidate`), so Redis sends the name of every key under those prefixes that any
 * client writes, expires or evicts — whichever connection read it. Broadcast mode costs Redis no
 * per-key tracking table, and only this connection has to stay up for the copies to be right.
 *
 * Whenever the connection closes, errs or stops answering pings, every copy is emptied and keeps
 * nothing until tracking is on again on a new connection (a write made in between was reported to
 * nobody). ioredis reconnects with backoff.
 */
export class InvalidationLink implements InvalidationSource, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InvalidationLink.name);
  private readonly copies: Array<InvalidatedCopy<unknown>> = [];
  private connection: Redis | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private pingSentAt: number | undefined;
  private connected = false;
  private linkGeneration = 0;
  /** Each connection's setup; a setup overtaken by a newer connection must not declare the link up. */
  private setups = 0;

  constructor(
    private readonly connectionOptions: RedisOptions,
    /** The prefix the app's Redis client puts before every key (its ioredis keyPrefix). */
    private readonly keyPrefix: string,
    private readonly options: InvalidationLinkOptions = {},
  ) {}

  get up(): boolean {
    return this.connected;
  }

  get generation(): number {
    return this.linkGeneration;
  }

  /**
   * A new copy of the keys under `options.keyPrefix`. Prefixes must not overlap another copy's
   * unless equal (Redis refuses overlapping broadcast prefixes). A copy made after the link is
   * started reconnects it, so that tracking covers its prefix too.
   */
  copy<V>(options: InvalidatedCopyOptions): InvalidatedCopy<V> {
    const copy = new InvalidatedCopy<V>(this, options);
    this.copies.push(copy as InvalidatedCopy<unknown>);
    if (this.connection) this.connection.disconnect(true);
    return copy;
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Connects (nothing to do while no copy exists: tracking without prefixes would report every key). */
  start(): void {
    if (this.connection || this.copies.length === 0) return;
    const connection = new Redis({
      ...this.connectionOptions,
      keyPrefix: undefined,
      // Named, so an operator (or a test) can find each process's link in CLIENT LIST.
      connectionName: `${this.keyPrefix}invalidations:${process.pid}`,
      lazyConnect: true,
      // Tracking is set up anew on every connection (ready below), never replayed by ioredis.
      autoResubscribe: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    });
    this.connection = connection;
    connection.on('ready', () => void this.enableTracking(connection));
    connection.on('close', () => this.lose('connection closed'));
    connection.on('error', (error: Error) => this.lose(`connection error: ${error.message}`));
    connection.on('messageBuffer', (channel: Buffer, keys: Buffer[] | null) => {
      if (channel.toString() === INVALIDATE_CHANNEL) this.invalidate(keys);
    });
    const heartbeatMs = this.options.heartbeatMs ?? 1_000;
    this.heartbeat = setInterval(() => this.ping(connection, heartbeatMs), heartbeatMs);
    this.heartbeat.unref();
    connection.connect().catch(() => undefined); // 'error' reports it; ioredis retries
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    const connection = this.connection;
    this.connection = undefined;
    this.lose('stopped');
    if (connection && connection.status !== 'end') {
      await connection.quit().catch(() => connection.disconnect());
    }
  }

  private async enableTracking(connection: Redis): Promise<void> {
    const setup = ++this.setups;
    const prefixes = [...new Set(this.copies.map((copy) => `${this.keyPrefix}${copy.options.keyPrefix}`))];
    try {
      const id = String(await connection.client('ID'));
      await connection.call(
        'CLIENT',
        'TRACKING',
        'ON',
        'REDIRECT',
        id,
        'BCAST',
        ...prefixes.flatMap((prefix) => ['PREFIX', prefix]),
      );
      await connection.subscribe(INVALIDATE_CHANNEL);
    } catch (error) {
      if (setup !== this.setups || connection !== this.connection) return;
      this.logger.warn({ err: error }, 'Could not turn on Redis invalidation tracking; reconnecting');
      connection.disconnect(true);
      return;
    }
    if (setup !== this.setups || connection !== this.connection || connection.status !== 'ready') return;
    this.pingSentAt = undefined;
    this.connected = true;
    this.linkGeneration++;
    this.logger.log(`Redis invalidation link up (${prefixes.join(', ')})`);
  }

  private lose(reason: string): void {
    this.pingSentAt = undefined;
    this.setups++;
    if (!this.connected) return;
    this.connected = false;
    this.linkGeneration++;
    for (const copy of this.copies) copy.clear();
    // Stopping is the process shutting down: nothing to warn about (a CLI's --json output ends on stdout
    // with its report, and the check-invariants command's JSON must stay parseable).
    if (reason === 'stopped') return;
    this.logger.warn(`Redis invalidation link lost (${reason}): process copies dropped until it is back`);
  }

  private invalidate(keys: Buffer[] | null): void {
    // A null list is Redis's "everything" (FLUSHALL / FLUSHDB).
    if (keys === null) {
      for (const copy of this.copies) copy.clear();
      return;
    }
    for (const raw of keys) {
      const full = raw.toString();
      if (!full.startsWith(this.keyPrefix)) continue;
      const key = full.slice(this.keyPrefix.length);
      for (const copy of this.copies) if (copy.covers(key)) copy.invalidate(key);
    }
  }

  /** A connection that silently stopped delivering (no FIN, no RST) must not keep copies alive. */
  private ping(connection: Redis, heartbeatMs: number): void {
    if (!this.connected) return;
    if (this.pingSentAt !== undefined) {
      if (Date.now() - this.pingSentAt > 2 * heartbeatMs) {
        this.lose('ping unanswered');
        connection.disconnect(true);
      }
      return;
    }
    const sentAt = Date.now();
    this.pingSentAt = sentAt;
    connection.ping().then(
      () => {
        if (this.pingSentAt === sentAt) this.pingSentAt = undefined;
      },
      () => undefined, // 'error' / 'close' handle a failed connection
    );
  }
}
