import { checkedFetch, registerServedContract, SmtpReceiver, unregisterContract } from '@app/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuthClient, createUser } from '../support/auth-client';
import { descendsFrom, exportedSpans, type ExportedSpan } from '../support/otlp-spans';
import { freePort } from '../support/process-tree';
import { CompiledApp, runEntry, servicesEnvironment, type Running, logLines } from '../support/processes';
import { ShopAdmin, ShopClient } from '../support/shop-client';
import { TestEnvironment, type TestApi } from '../support/test-environment';
import { waitFor } from '../support/wait-for';
import { WebhookReceiver } from '../support/webhook-receiver';

const SERVER = 2;
const CONSUMER = 5;
const MYSQL = '@opentelemetry/instrumentation-mysql2';
const REDIS = '@opentelemetry/instrumentation-ioredis';

/**
 * Tracing (issue 19): the API and the worker as real processes with tracing on, exporting over
 * OTLP/HTTP to a collector the test runs. One checkout is one trace: the HTTP request, its SQL, and
 * — through the trace context stored on the outbox row — the worker's jobs down to the one that sends
 * the confirmation mail, which the test receives over SMTP. Log lines carry the trace id.
 */
describe('tracing: one checkout, one trace from the HTTP request to the mail job', () => {
  let env: TestEnvironment;
  let setupApi: TestApi;
  let compiled: CompiledApp;
  let collector: WebhookReceiver;
  let smtp: SmtpReceiver;
  let baseUrl: string;
  let tracedEnvironment: Record<string, string>;
  const running: Running[] = [];

  /** An API process with tracing on, listening; `environment` adds to (or overrides) the traced one. */
  async function startTracedApi(
    environment: Record<string, string> = {},
  ): Promise<{ life: Running; url: string }> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const life = runEntry(
      'src/main.ts',
      { ...tracedEnvironment, ...environment, PORT: String(port), HOST: '127.0.0.1' },
      compiled,
    );
    running.push(life);
    await waitFor(
      () =>
        checkedFetch(`${url}/health/live`).then(
          (response) => response.ok,
          () => false,
        ),
      60_000,
      'the traced API to listen',
    ).catch((error: Error) => {
      throw new Error(`${error.message}; it said:\n${life.output().slice(-2000)}`);
    });
    return { life, url };
  }

  beforeAll(async () => {
    [compiled, collector, smtp] = await Promise.all([
      CompiledApp.build(),
      WebhookReceiver.start(),
      SmtpReceiver.start(),
    ]);
    collector.answer = () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{}' });
    env = await TestEnvironment.create();
    // An untraced API in this process migrates the database and serves the admin's setup.
    setupApi = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    tracedEnvironment = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      ...servicesEnvironment(env.config),
      RATE_LIMIT_MAX: '1000000',
      OUTBOX_POLL_INTERVAL_MS: '50',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.port}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    const worker = runEntry(
      'src/worker.ts',
      { ...tracedEnvironment, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_SECURE: 'false' },
      compiled,
    );
    running.push(worker);
    baseUrl = (await startTracedApi()).url;
    // A child process: its answers are checked against the document it serves (issue 15).
    expect(await registerServedContract(baseUrl)).toBe(true);
    await waitFor(
      () => Promise.resolve(worker.output().includes('Worker started')),
      60_000,
      'the traced worker to start',
    );
  }, 150_000);

  afterAll(async () => {
    if (baseUrl) unregisterContract(baseUrl);
    for (const { child } of running) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(running.map((life) => life.exited));
    await env?.cleanup();
    await Promise.all([collector?.close(), smtp?.close(), compiled?.remove()]);
  });

  it('the checkout request, its SQL and the jobs down to the mail are one trace, and logs name it', async () => {
    const db = setupApi.app.get(DataSource);
    const client = new AuthClient(setupApi.baseUrl);
    const owner = await createUser(client, db, { role: 'admin' });
    const admin = new ShopAdmin(client, owner.tokens.accessToken);
    await admin.setUp();
    const { variantId } = await admin.variantWithStock(10, 2500);

    // The guest's whole journey goes to the traced API.
    const shop = new ShopClient(baseUrl);
    const { cart, shopper } = await shop.newCart();
    await shop.add(cart.id, shopper, variantId, 2);
    await shop.prepare(cart.id, shopper);
    const placed = await shop.checkout(cart.id, shopper, randomUUID(), { paymentMethod: 'card' });
    expect(placed.status).toBe(201);
    const order = placed.body;
    await smtp.waitForMessage(
      (mail) => mail.recipients.includes(order.email) && (mail.parsed.subject ?? '').includes(order.number),
      30_000,
    );

    // The checkout's server span: the root of its trace.
    let spans: ExportedSpan[] = [];
    const checkoutSpan = () =>
      spans.find(
        (span) =>
          span.kind === SERVER &&
          span.attributes['http.request.method'] === 'POST' &&
          String(span.attributes['url.path']).endsWith(`/carts/${cart.id}/checkout`),
      );
    await waitFor(
      () => {
        spans = exportedSpans(collector);
        const root = checkoutSpan();
        return Promise.resolve(
          root !== undefined &&
            spans.some((span) => span.traceId === root.traceId && span.name === 'process mail.send'),
        );
      },
      20_000,
      'the checkout and the mail job spans to be exported',
    ).catch((error: Error) => {
      const names = [...new Set(spans.map((span) => `${span.service} ${span.name}`))].slice(0, 60);
      throw new Error(`${error.message}; spans seen: ${names.join(' | ')}`);
    });
    const http = checkoutSpan()!;
    const trace = spans.filter((span) => span.traceId === http.traceId);

    expect(http.service).toBe('storekeep-api');
    expect(http.parentSpanId).toBe('');
    // The request's SQL: mysql2 spans below the request, the outbox insert among them, values masked.
    const sql = trace.filter((span) => span.scope === MYSQL && descendsFrom(span, http, trace));
    expect(sql.length).toBeGreaterThan(3);
    const outboxInsert = sql.find((span) =>
      String(span.attributes['db.query.text']).startsWith('INSERT INTO outbox'),
    );
    expect(outboxInsert).toBeDefined();
    // No span carries what a statement or command was given: the guest's address is in many of them.
    expect(JSON.stringify(trace)).not.toContain(order.email);

    // The worker continues the trace: the order.placed event's job is a child of the request's
    // outbox insert context, and the mail job a child of the event job (via its own outbox row).
    const eventJob = trace.find((span) => span.name === 'process order.placed');
    const mailJob = trace.find((span) => span.name === 'process mail.send');
    expect(eventJob).toEqual(expect.objectContaining({ service: 'storekeep-worker', kind: CONSUMER }));
    expect(mailJob).toEqual(expect.objectContaining({ service: 'storekeep-worker', kind: CONSUMER }));
    expect(descendsFrom(eventJob!, http, trace)).toBe(true);
    expect(descendsFrom(mailJob!, eventJob!, trace)).toBe(true);
    // The jobs' own work is in the trace too: the event job's SQL (the mail's outbox row among it),
    // the mail job's Redis check that it has not sent this mail yet.
    const below = (job: ExportedSpan, scope: string) =>
      trace.filter((span) => span.scope === scope && descendsFrom(span, job, trace));
    expect(below(eventJob!, MYSQL).map((span) => span.attributes['db.query.text'])).toContainEqual(
      expect.stringMatching(/^INSERT INTO outbox/),
    );
    expect(below(mailJob!, REDIS).map((span) => span.name)).toContain('exists');

    // Log lines written inside the trace carry its id, in both processes.
    const [workerProcess, apiProcess] = running;
    await waitFor(
      () => Promise.resolve(logLines(apiProcess.output()).some((line) => line.trace_id === http.traceId)),
      5_000,
      'an API log line with the trace id',
    );
    const eventLog = logLines(workerProcess.output()).find(
      (line) => line.msg === 'domain event order.placed' && line.trace_id === http.traceId,
    );
    expect(eventLog).toEqual(expect.objectContaining({ span_id: eventJob!.spanId }));
  }, 90_000);

  it('exports the spans still buffered when the API shuts down (SIGTERM)', async () => {
    // Batches would wait 10 minutes: only the flush on shutdown can deliver this request's span.
    const service = 'storekeep-api-draining';
    const { life, url } = await startTracedApi({
      OTEL_BSP_SCHEDULE_DELAY: '600000',
      OTEL_SERVICE_NAME: service,
    });
    const created = await new ShopClient(url).newCart();
    const cartSpans = () =>
      exportedSpans(collector).filter(
        (span) =>
          span.service === service && span.kind === SERVER && span.attributes['url.path'] === '/v1/carts',
      );
    expect(created.cart.id).toBeTruthy();
    expect(cartSpans()).toEqual([]);

    life.child.kill('SIGTERM');
    expect(await life.exited).toBe(0);
    expect(cartSpans()).toHaveLength(1);
  }, 90_000);
});
