import type { AppConfig } from '@app/config';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookSenderService } from './webhook-sender.service';

const TIMEOUT_MS = 400;
const LIMIT = 4096;

describe('WebhookSenderService', () => {
  let server: Server;
  let url: string;
  let handler: (response: ServerResponse) => void;
  let written = 0;
  const sender = new WebhookSenderService({
    webhooks: {
      allowHttp: true,
      allowedHosts: ['127.0.0.1'],
      timeoutMs: TIMEOUT_MS,
      responseBodyLimitBytes: LIMIT,
    },
  } as unknown as AppConfig);

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => handler(response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    written = 0;
  });

  it('gives up on a receiver that drips its body slower than the timeout', async () => {
    const timers: NodeJS.Timeout[] = [];
    handler = (response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const drip = setInterval(() => response.write('.'), 50);
      timers.push(drip);
      response.on('close', () => clearInterval(drip));
    };
    const started = Date.now();
    const result = await sender.send(url, 'msg_1', '{}', ['whsec_AAAA']);
    timers.forEach(clearInterval);
    expect(result.outcome).toBe('failed');
    expect(result.error).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1_000);
  });

  it('reads at most the configured bytes of a huge answer and stops the transfer', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    handler = (response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const pump = () => {
        while (written < 100 * 1024 * 1024) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      response.on('close', closed);
      pump();
    };
    const result = await sender.send(url, 'msg_2', '{}', ['whsec_AAAA']);
    await connectionClosed;
    expect(result.outcome).toBe('delivered');
    expect(result.responseBody).toHaveLength(LIMIT);
    // The socket was closed long before 100 MB went through (buffers on both sides hold a few MB).
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('does not follow a redirect', async () => {
    let hits = 0;
    handler = (response) => {
      hits += 1;
      response.writeHead(302, { location: url }).end();
    };
    const result = await sender.send(url, 'msg_3', '{}', ['whsec_AAAA']);
    expect(result).toMatchObject({ outcome: 'failed', statusCode: 302 });
    expect(result.error).toContain('redirect not followed');
    expect(hits).toBe(1);
  });
});
