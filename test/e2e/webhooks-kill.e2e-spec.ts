import { TransactionRunner } from '@app/database';
import { DataSource } from 'typeorm';
import { OutboxService } from '../../src/modules/outbox';
import { AuthClient, createUser } from '../support/auth-client';
import { CompiledApp, runEntry, servicesEnvironment, type Running } from '../support/processes';
import { ShopAdmin } from '../support/shop-client';
import { TestEnvironment, type TestApi } from '../support/test-environment';
import { waitFor } from '../support/wait-for';
import { verifyStandardWebhook, WebhookReceiver } from '../support/webhook-receiver';

const EVENTS = 100;
const KILLS = 10;

/**
 * Webhook deliveries survive a worker killed with SIGKILL in the middle of them: 100 events, the
 * worker (a real process) killed 10 times while a receiver holds a request's answer — the attempt is
 * on the wire, nothing recorded yet — and restarted. Every event is delivered, none lost; a killed
 * attempt is sent again with the same webhook-id (at least once, as the spec expects of receivers).
 */
describe('webhooks: the worker SIGKILLed mid-delivery 10 times', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let db: DataSource;
  let compiled: CompiledApp;
  let receiver: WebhookReceiver;
  let workerEnv: Record<string, string>;
  const lives: Running[] = [];

  beforeAll(async () => {
    compiled = await CompiledApp.build();
    receiver = await WebhookReceiver.start();
    env = await TestEnvironment.create({ webhooks: { allowHttp: true, allowedHosts: ['127.0.0.1'] } });
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    db = api.app.get(DataSource);
    workerEnv = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ...servicesEnvironment(env.config),
      OUTBOX_POLL_INTERVAL_MS: '50',
      // A killed job is found again within ~2 s instead of Bull's 30 s lock.
      WORKER_JOB_LOCK_MS: '2000',
      WORKER_STALLED_CHECK_INTERVAL_MS: '1000',
      WEBHOOKS_ALLOW_HTTP: 'true',
      WEBHOOKS_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOKS_RETRY_SCHEDULE_MS: '100,200,400,800,1600',
    };
  }, 120_000);

  afterAll(async () => {
    for (const life of lives)
      if (life.child.exitCode === null && life.child.signalCode === null) life.child.kill('SIGKILL');
    await Promise.all(lives.map((life) => life.exited));
    await receiver.close();
    await env?.cleanup();
    await compiled?.remove();
  });

  const startWorker = (): Running => {
    const life = runEntry('src/worker.ts', workerEnv, compiled);
    lives.push(life);
    return life;
  };

  it('delivers every one of 100 events, each verified, none lost', async () => {
    const client = new AuthClient(api.baseUrl);
    const owner = await createUser(client, db, { role: 'admin' });
    const admin = new ShopAdmin(client, owner.tokens.accessToken);
    const endpoint = await admin.must<{ id: string; secret: string }>('POST', '/v1/admin/webhooks', {
      url: receiver.url(),
      eventTypes: ['inventory.*'],
    });

    let worker = startWorker();
    let kills = 0;
    // Every 7th request (until 10 kills): hold the answer, kill the worker, start another, then answer
    // to nobody. The attempt was on the wire and nothing was recorded.
    receiver.answer = async (_request, index) => {
      if (index % 7 === 3 && kills < KILLS) {
        kills += 1;
        const victim = worker;
        victim.child.kill('SIGKILL');
        await victim.exited;
        worker = startWorker();
      }
      return { status: 204 };
    };

    await api.app.get(TransactionRunner).run((tx) =>
      api.app.get(OutboxService, { strict: false }).enqueue(
        tx,
        ...Array.from({ length: EVENTS }, (_, index) => ({
          jobName: 'inventory.low-stock' as const,
          payload: { variantId: `v${index}`, sku: `KILL-${index}`, available: 1, threshold: 5 },
        })),
      ),
    );

    const delivered = async () =>
      Number(
        (
          await db.query<Array<{ n: string }>>(
            "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE endpoint_id = ? AND status = 'delivered'",
            [endpoint.id],
          )
        )[0].n,
      );
    await waitFor(async () => (await delivered()) === EVENTS, 150_000, `${EVENTS} deliveries`).catch(
      async (error: Error) => {
        throw new Error(
          `${error.message}: ${await delivered()} delivered, ${kills} kills; last worker said:\n${worker.output().slice(-3000)}`,
        );
      },
    );

    expect(kills).toBe(KILLS);
    const deliveries = await db.query<Array<{ id: string; attempts: string }>>(
      'SELECT d.id, (SELECT COUNT(*) FROM webhook_attempts a WHERE a.delivery_id = d.id) AS attempts FROM webhook_deliveries d WHERE d.endpoint_id = ?',
      [endpoint.id],
    );
    expect(deliveries).toHaveLength(EVENTS);
    const ids = new Set(deliveries.map((row) => row.id));
    const seen = new Set(receiver.received.map((request) => String(request.headers['webhook-id'])));
    expect(seen).toEqual(ids);
    for (const request of receiver.received)
      expect(verifyStandardWebhook(endpoint.secret, request.headers, request.body)).toBeDefined();
    // Every event arrived with its own body (one SKU per event).
    const skus = new Set(
      receiver.received.map((request) => (JSON.parse(request.body) as { data: { sku: string } }).data.sku),
    );
    expect(skus.size).toBe(EVENTS);
    process.stdout.write(
      `webhook kill test: ${EVENTS} events, ${kills} kills, ${receiver.received.length} requests for ${EVENTS} deliveries, ${lives.length} worker processes\n`,
    );
  }, 240_000);
});
