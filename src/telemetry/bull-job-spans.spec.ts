import { activeTraceCarrier, flushTracing, markTracingStarted, traceLogFields } from '@app/common';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { startNodeSdk } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type { Job } from 'bull';
import { traced } from './bull-job-spans';
import { redisStatement, storekeepSampler } from './tracing';

// The SDK as startTracing starts it, minus the instrumentations, with an in-memory exporter (Jest
// gives each spec file its own globals, so the tracer provider set here stays in this file).
const exporter = new InMemorySpanExporter();
beforeAll(() => {
  const sdk = startNodeSdk({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    sampler: storekeepSampler(1),
    metricReaders: [],
    logRecordProcessors: [],
    resourceDetectors: [],
  });
  markTracingStarted(() => sdk.shutdown());
});
afterAll(async () => {
  await flushTracing();
  trace.disable();
  context.disable();
  propagation.disable();
});
beforeEach(() => exporter.reset());

const tracer = () => trace.getTracer('spec');
const job = (traceContext?: unknown) =>
  ({
    id: 'outbox-7',
    name: 'order.placed',
    attemptsMade: 0,
    data: {},
    opts: { traceContext },
  }) as unknown as Job;
const finished = (name: string) => exporter.getFinishedSpans().find((span) => span.name === name);

describe('job spans (traced)', () => {
  it("continues the trace of the carrier the job brought, and logs inside name the job's span", async () => {
    const carrier = tracer().startActiveSpan(
      'POST /v1/carts/:id/checkout',
      { kind: SpanKind.SERVER },
      (span) => {
        span.end();
        return activeTraceCarrier();
      },
    );
    expect(carrier?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    let inside: Record<string, string> = {};
    const result = await traced('events', () => {
      inside = traceLogFields();
      return Promise.resolve('done');
    })(job(carrier));

    expect(result).toBe('done');
    const request = finished('POST /v1/carts/:id/checkout')!;
    const jobSpan = finished('process order.placed')!;
    expect(jobSpan.kind).toBe(SpanKind.CONSUMER);
    expect(jobSpan.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(jobSpan.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(jobSpan.attributes).toEqual(
      expect.objectContaining({ 'messaging.destination.name': 'events', 'messaging.message.id': 'outbox-7' }),
    );
    expect(inside).toEqual({
      trace_id: jobSpan.spanContext().traceId,
      span_id: jobSpan.spanContext().spanId,
      trace_flags: '01',
    });
  });

  it('starts a new trace for a job without a carrier (a repeatable job)', async () => {
    await traced('maintenance', () => Promise.resolve())(job());
    const jobSpan = finished('process order.placed')!;
    expect(jobSpan.parentSpanContext).toBeUndefined();
  });

  it('keeps a callback-style handler working, and marks a failed job in its span', async () => {
    const failing = traced('mail', (_job, done) => done?.(new Error('smtp down')));
    expect(failing.length).toBe(1); // Bull reads the arity: one argument means "returns a promise"
    await expect(failing(job())).rejects.toThrow('smtp down');
    expect(finished('process order.placed')?.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'smtp down',
    });
    await expect(traced('mail', (_job, done) => done?.(null, 'sent'))(job())).resolves.toBe('sent');
  });
});

describe('storekeepSampler', () => {
  it('drops a client span with no parent (background polling), keeps one inside a request or job', () => {
    tracer().startSpan('SELECT', { kind: SpanKind.CLIENT }).end();
    tracer().startActiveSpan('process orders.expire', { kind: SpanKind.CONSUMER }, (span) => {
      tracer().startSpan('UPDATE', { kind: SpanKind.CLIENT }).end();
      span.end();
    });
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['UPDATE', 'process orders.expire']);
  });

  it('without tracing started, gives no carrier (outbox rows get NULL)', async () => {
    await flushTracing();
    tracer().startActiveSpan('request', (span) => {
      expect(activeTraceCarrier()).toBeNull();
      span.end();
    });
  });
});

describe('redisStatement', () => {
  it('shows the command and its key, never the values', () => {
    expect(redisStatement('set', ['sk:mail:sent:outbox-7', '1', 'EX', 86400])).toBe(
      'set sk:mail:sent:outbox-7 [3 other arguments]',
    );
    expect(redisStatement('evalsha', ['f1e0', 2, 'sk:bull:mail:wait', '{"to":"ada@example.test"}'])).toBe(
      'evalsha [4 other arguments]',
    );
    expect(redisStatement('ping', [])).toBe('ping');
  });
});
