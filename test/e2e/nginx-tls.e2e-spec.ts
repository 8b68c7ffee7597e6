import { checkedFetch } from '@app/testing';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { get } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Nginx } from '../support/nginx';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { waitFor } from '../support/wait-for';

const ROOT = join(__dirname, '../..');

interface Answer {
  status: number;
  hsts: string | undefined;
  body: string;
}

/**
 * docker-compose's HTTPS: deploy/nginx.conf's TLS listener (a private nginx, see test/support/nginx.ts)
 * in front of the real API trusting the proxy, with the certificate scripts/make-local-cert.sh writes.
 * nginx starts without a certificate (plain http serves, TLS handshakes fail) and serves the one
 * written later without a restart; HSTS is sent over https only.
 */
describe('docker-compose nginx over TLS (deploy/nginx.conf, scripts/make-local-cert.sh)', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let nginx: Nginx;

  /** GET over TLS to nginx, trusting only `ca`; `servername` for SNI (none: by IP address). */
  const httpsGet = (path: string, ca: Buffer | undefined, servername?: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const request = get(
        { host: '127.0.0.1', port: nginx.tls?.port, path, ca, servername, timeout: 5_000 },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              hsts: response.headers['strict-transport-security'],
              body,
            }),
          );
        },
      );
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', reject);
    });

  beforeAll(async () => {
    env = await TestEnvironment.create({ http: { trustProxy: true } });
    api = await env.startApi();
    nginx = await Nginx.start([new URL(api.baseUrl).host], { tls: true });
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await env?.cleanup();
  });

  it('serves plain http without HSTS, and fails TLS handshakes while there is no certificate', async () => {
    const plain = await checkedFetch(`${nginx.url}/health/live`, {
      uncheckedBecause: 'the same route through nginx; the API is checked directly elsewhere',
    });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    await expect(httpsGet('/health/live', undefined, 'localhost')).rejects.toThrow();
    // nginx says why (its error log reaches the test over a pipe, so a moment later).
    await waitFor(
      () => Promise.resolve(nginx.errors().includes('cannot load certificate')),
      5_000,
      "nginx's error log to name the missing certificate",
    );
  });

  it("serves https with the script's certificate at once (no restart), with HSTS from the API", async () => {
    const { certDir } = nginx.tls ?? { certDir: '' };
    await promisify(execFile)('bash', [join(ROOT, 'scripts/make-local-cert.sh'), '--dir', certDir]);
    const ca = await readFile(join(certDir, 'local.crt'));

    // Verified against the certificate for its name (SNI) and for 127.0.0.1 (no SNI: by address).
    for (const servername of ['localhost', undefined]) {
      const answer = await httpsGet('/health/live', ca, servername);
      expect({ servername, status: answer.status, body: JSON.parse(answer.body) as unknown }).toEqual({
        servername,
        status: 200,
        body: { status: 'ok' },
      });
      // nginx sends X-Forwarded-Proto https on this listener; the API, trusting it, adds HSTS.
      expect(answer.hsts).toMatch(/^max-age=\d+/);
    }
    const plain = await checkedFetch(`${nginx.url}/health/live`, {
      uncheckedBecause: 'the same route through nginx; the API is checked directly elsewhere',
    });
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });

  it('refuses the connection to a client that does not trust the certificate', async () => {
    await expect(httpsGet('/health/live', undefined, 'localhost')).rejects.toThrow(/self[- ]signed/i);
  });
});
