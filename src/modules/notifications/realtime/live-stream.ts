import type { Writable } from 'node:stream';
import {
  compareStreamIds,
  formatSseMessage,
  mayReceive,
  type RealtimeEntry,
  type StreamAudience,
} from './realtime-events';
import type { StreamSubscriber } from './realtime-hub.service';

/**
 * Most bytes a stream may hold for a client that stopped reading (a sleeping laptop keeps its TCP
 * connection open for hours). Past it the stream is cut, so its memory is freed; an EventSource
 * reconnects with Last-Event-ID and misses nothing.
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * One open SSE response. Entries arrive from the hub in stream order; while the Last-Event-ID replay
 * runs they are held back, then released after it, and every entry at or before the last one
 * handled is dropped: the replay and the live feed overlap, so the hand-off loses and repeats nothing.
 */
export class LiveStream implements StreamSubscriber {
  private held: RealtimeEntry[] | null = [];
  private closed = false;
  unsubscribe: () => void = () => undefined;

  constructor(
    readonly id: string,
    readonly slotKey: string,
    public audience: StreamAudience,
    readonly output: Writable,
    /** The last entry handled (sent or filtered out). */
    private cursor: string,
  ) {}

  offer(entry: RealtimeEntry): void {
    if (this.held) this.held.push(entry);
    else this.handle(entry);
  }

  handle(entry: RealtimeEntry): void {
    if (this.closed || compareStreamIds(entry.streamId, this.cursor) <= 0) return;
    this.cursor = entry.streamId;
    if (mayReceive(this.audience, entry.event)) this.write(formatSseMessage(entry));
  }

  /** Ends the replay: held entries go out, then every entry as it comes. Announces where the client stands. */
  goLive(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const entry of held) this.handle(entry);
    // `ready` carries the position, so a client that saw no event yet still resumes from here.
    this.write(`id: ${this.cursor}\nevent: ready\ndata: {}\n\n`);
  }

  write(chunk: string): void {
    if (this.closed) return;
    this.output.write(chunk);
    // During the replay the replay itself waits for the client (drain); live entries cannot wait.
    if (this.held === null && this.output.writableLength > MAX_BUFFERED_BYTES) this.cut();
  }

  /**
   * For the replay, which writes faster than any network sends: true once the client has taken what
   * waits beyond MAX_BUFFERED_BYTES; false (and the stream cut) if it has not within `timeoutMs`.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.closed) return false;
    if (this.output.writableLength <= MAX_BUFFERED_BYTES) return true;
    const drained = await new Promise<boolean>((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.output.off('drain', onDrain).off('close', onClose);
        resolve(value);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.output.on('drain', onDrain).on('close', onClose);
    });
    if (!drained) this.cut();
    return drained && !this.closed;
  }

  /**
   * Destroyed, not ended: ending would wait for the client to read it all. Fastify then destroys
   * the response, whose 'close' frees the stream's slot.
   */
  private cut(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.output.destroy();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.output.end();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
