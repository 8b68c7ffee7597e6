import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The raw body, exactly the bytes that arrived. */
  body: string;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface WebhookAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A real HTTP receiver on 127.0.0.1 (random port) that keeps every request and answers what the test
 * says (by default 204), so tests see what went over the wire.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** How to answer a request (may hold the answer back: a test can kill the sender meanwhile). */
  answer: (request: ReceivedWebhook, index: number) => WebhookAnswer | Promise<WebhookAnswer> = () => ({
    status: 204,
  });

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = {
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        receiver.received.push(request);
        void Promise.resolve(receiver.answer(request, receiver.received.length - 1)).then((answer) => {
          if (res.destroyed) return;
          res.writeHead(answer.status, answer.headers ?? {});
          res.end(answer.body ?? '');
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hook', host = '127.0.0.1'): string {
    return `http://${host}:${this.port}${path}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Verifies a delivery with the official `standardwebhooks` package (the reference implementation of
 * the spec) and returns the parsed body; throws when the signature or timestamp does not verify.
 */
export function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, body: string): unknown {
  const plain: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'])
    plain[name] = String(headers[name] ?? '');
  return new Webhook(secret).verify(body, plain);
}
