import { assertContract } from '@app/testing';
import { get, type IncomingMessage, type ClientRequest } from 'node:http';

/** One dispatched SSE event, as an EventSource would hand it over. */
export interface SseEvent {
  id: string;
  event: string;
  data: string;
}

/**
 * A small Server-Sent Events client over fetch (EventSource cannot send headers, and tests need the
 * status and the moment the server closes): parses the stream as the WHATWG spec says and keeps
 * every event and comment, and whether the server ended the stream.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  lastEventId = '';
  closedAt: number | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly status: number,
    readonly headers: Headers,
    private readonly request: ClientRequest,
    readonly problem: Record<string, unknown> | undefined,
  ) {}

  /**
   * Opens the stream over node:http (not fetch: undici's pool opens spare sockets after an abort,
   * which would hold a closing server open until its headers timeout).
   */
  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const { request, response } = await new Promise<{ request: ClientRequest; response: IncomingMessage }>(
      (resolve, reject) => {
        const sent = get(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) =>
          resolve({ request: sent, response: res }),
        );
        sent.on('error', reject);
      },
    );
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers))
      if (typeof value === 'string') responseHeaders.set(name, value);
    // Checked against the API's document as request() checks: the stream by status and media type.
    if (!response.headers['content-type']?.startsWith('text/event-stream')) {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      assertContract('GET', url, response.statusCode ?? 0, responseHeaders, text);
      return new SseClient(
        response.statusCode ?? 0,
        responseHeaders,
        request,
        JSON.parse(text) as Record<string, unknown>,
      );
    }
    assertContract('GET', url, response.statusCode ?? 0, responseHeaders, '');
    const client = new SseClient(response.statusCode ?? 0, responseHeaders, request, undefined);
    void client.read(response);
    return client;
  }

  /** The events of these types (not `ready`). */
  named(...types: string[]): SseEvent[] {
    return this.events.filter((event) =>
      types.length === 0 ? event.event !== 'ready' : types.includes(event.event),
    );
  }

  dataOf(event: SseEvent): { id: string; type: string; data: Record<string, unknown> } {
    return JSON.parse(event.data) as { id: string; type: string; data: Record<string, unknown> };
  }

  /** Resolves when `check` holds (re-checked on every event, comment and close); fails after `timeoutMs`. */
  waitUntil(check: (client: SseClient) => boolean, timeoutMs = 10_000, what = 'the stream'): Promise<void> {
    if (check(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = () => {
        if (!check(this)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.events.map((e) => e.event))}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  close(): void {
    this.request.destroy();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private async read(body: IncomingMessage): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    let data: string[] = [];
    let type = '';
    try {
      for await (const value of body) {
        buffer += decoder.decode(value as Buffer, { stream: true });
        let newline: number;
        while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
          if (line === '') {
            if (data.length > 0)
              this.events.push({ id: this.lastEventId, event: type || 'message', data: data.join('\n') });
            data = [];
            type = '';
            continue;
          }
          if (line.startsWith(':')) {
            this.comments.push(line.slice(1).trim());
            continue;
          }
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') data.push(value);
          else if (field === 'event') type = value;
          else if (field === 'id') this.lastEventId = value;
        }
        this.notify();
      }
    } catch {
      // aborted by close(), or the connection dropped
    } finally {
      this.closedAt = Date.now();
      this.notify();
    }
  }
}
