import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Issue 15: every response the e2e suite receives from an API it started is checked against the
 * document that API serves. That holds only while tests send through request(), checkedFetch() or the
 * support clients built on them: a bare fetch (or node:http, undici) skips the check without a sound.
 * A file may do so only if it is listed here, with the reason its traffic is not an API's.
 */
const UNCHECKED: Record<string, string> = {
  'libs/testing/src/http.ts': 'request() and checkedFetch() themselves: the checked path',
  'libs/testing/src/fake-stripe.ts':
    "FakeStripe is a node:http server, and its own webhook delivery: a contract error would be recorded as the delivery's error and " +
    'go unseen; the webhook route is checked through checkedFetch in payments.e2e-spec.ts',
  'test/e2e/prism-contract.e2e-spec.ts':
    'talks to Prism, the proxy that validates against the document itself (0 violations asserted)',
  'test/support/sse-client.ts':
    "node:http for event streams (undici's pool leaves spare sockets after an abort, holding a closing API open); " +
    'it checks every response itself with assertContract, the stream by status and media type',
  'test/e2e/nginx-tls.e2e-spec.ts':
    'node:https through a private nginx with a self-signed certificate (fetch cannot be told to trust it); ' +
    'it checks TLS and the headers nginx adds, the API behind it is the one checked elsewhere',
  'test/e2e/dev-mail-inbox.e2e-spec.ts':
    'node:http to the dev mail inbox (another port, not the API) to send a forged Host header',
  'test/support/webhook-receiver.ts':
    'a node:http server receiving outgoing webhooks from the worker: it sends no request to an API',
  'test/e2e/realtime-events.e2e-spec.ts':
    'one raw node:http stream that is never read (backpressure: a client that reads, like SseClient, cannot stall); ' +
    'its status is asserted, its body deliberately never consumed; every other stream goes through SseClient',
};

const ROOT = join(__dirname, '../../..');
const DIRECTORIES = ['test/e2e', 'test/support', 'libs/testing/src'];

/** A global fetch call (not checkedFetch, not a method named fetch), node:http requests, or undici. */
const RAW_HTTP = [/(?<![\w.$])fetch\(/, /from 'node:https?'/, /from 'undici'/, /require\('undici'\)/];

function sources(): string[] {
  return DIRECTORIES.flatMap((directory) =>
    readdirSync(join(ROOT, directory))
      // e2e files end in -spec.ts; unit specs of libs/testing (*.spec.ts) start no API
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))
      .map((name) => `${directory}/${name}`),
  );
}

/** `file:line: text` for each raw HTTP call in `text` (comments and string contents are not skipped). */
function rawHttpCalls(file: string, text: string): string[] {
  return text
    .split('\n')
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => !/^\s*(\/\/|\*)/.test(line) && RAW_HTTP.some((pattern) => pattern.test(line)))
    .map(({ line, number }) => `${file}:${number}: ${line.trim()}`);
}

describe('contract coverage of the e2e suite (issue 15)', () => {
  const files = sources();

  it('sends API requests only through the contract-checked helpers', () => {
    const unchecked = files
      .filter((file) => !(file in UNCHECKED))
      .flatMap((file) => rawHttpCalls(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(unchecked).toEqual([]);
  });

  it('has no stale allowlist entry (each still exists)', () => {
    const present = new Set(sources());
    expect(Object.keys(UNCHECKED).filter((file) => !present.has(file))).toEqual([]);
  });

  it('spots a bare fetch, node:http and undici, and not checkedFetch or a method named fetch', () => {
    expect(rawHttpCalls('x.ts', 'const r = await fetch(`${api.baseUrl}/v1/products`);')).toHaveLength(1);
    expect(rawHttpCalls('x.ts', "import { request } from 'node:http';")).toHaveLength(1);
    expect(rawHttpCalls('x.ts', "import { fetch } from 'undici';")).toHaveLength(1);
    expect(rawHttpCalls('x.ts', 'const r = await checkedFetch(url);')).toEqual([]);
    expect(rawHttpCalls('x.ts', 'await queue.fetch(1); this.fetch(2);')).toEqual([]);
  });
});
