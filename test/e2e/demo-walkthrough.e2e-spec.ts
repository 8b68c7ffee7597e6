import { TestApi, TestEnvironment } from '../support/test-environment';
import { Logger } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { DataSource } from 'typeorm';
import { seedDemo } from '../../scripts/seed-demo';
import { DEMO_ACCOUNTS } from '../../scripts/seed/demo-shop';
import { AuthClient } from '../support/auth-client';

const ROOT = join(__dirname, '../..');
const SCRIPT = 'scripts/demo/first-order.sh';
const [ADMIN] = DEMO_ACCOUNTS;

/** Runs the README's walk-through with bash, as a reader would; `node` on PATH is the one running Jest. */
function runWalkthrough(
  baseUrl: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawn('bash', [SCRIPT, baseUrl], {
    cwd: ROOT,
    env: {
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? ROOT,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

describe('README walk-through: scripts/demo/first-order.sh against a freshly seeded shop', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let db: DataSource;

  beforeAll(async () => {
    Logger.overrideLogger(['error', 'fatal']);
    env = await TestEnvironment.create();
    await seedDemo(env.config, { products: 20 });
    api = await env.startApi();
    db = api.app.get(DataSource);
  }, 90_000);
  afterAll(() => env.cleanup());

  it('places a guest order with cash on delivery and a promotion, and the demo admin lists it', async () => {
    const { code, output } = await runWalkthrough(api.baseUrl);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('First order placed: ') });
    const [, number, id] = /First order placed: (\S+) \((\S+)\)/.exec(output) ?? [];
    // Prices print from integer minor units and the product's currency (e.g. "from 143.00 EUR").
    expect(output).toMatch(/: from \d+\.\d{2} [A-Z]{3}\n/);

    const [order] = await db.query<
      Array<{ number: string; status: string; payment_method: string; promotion_code: string }>
    >('SELECT number, status, payment_method, promotion_code FROM orders WHERE id = ?', [id]);
    expect(order).toEqual({
      number,
      status: 'pending_payment',
      payment_method: 'cash_on_delivery',
      promotion_code: 'WELCOME10',
    });

    const auth = new AuthClient(api.baseUrl);
    const login = await auth.login(ADMIN.email, ADMIN.password);
    const listed = await auth.get<{ data: Array<{ id: string; number: string }> }>(
      '/v1/admin/orders',
      login.body.accessToken,
    );
    expect(listed.body.data).toContainEqual(expect.objectContaining({ id, number }));
    expect(output).toContain(`${number}  pending_payment  guest@example.com`);
  }, 60_000);

  it('stops at the first step that fails, with the API’s answer and a non-zero exit', async () => {
    const { code, output } = await runWalkthrough(api.baseUrl, {
      DEMO_ADMIN_PASSWORD: 'not-the-demo-password',
    });
    expect(code).not.toBe(0);
    expect(output).toContain('"type": "/problems/');
    expect(output).not.toContain('First order placed');
  }, 60_000);
});
