// Not '@app/common': its index loads Nest, TypeORM and ioredis, before the instrumentations could patch them.
import { markTracingStarted } from '@app/common/tracing/trace-context';
import type { TracingSettings } from '@app/config/tracing';
import FastifyOtelInstrumentation from '@fastify/otel';
import { SpanKind, type Attributes, type Context, type Link } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { startNodeSdk } from '@opentelemetry/sdk-node';
import {
  AlwaysOnSampler,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { traceBullJobs } from './bull-job-spans';

/** Probes and scrapes: frequent, uninteresting, and their outcome is in /metrics. */
const UNTRACED_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * Starts the OpenTelemetry SDK: the exporter, propagators and resource come from the standard OTEL_*
 * variables (OTLP by default); `spanProcessors` replaces the exporter (tests). Traces only: metrics
 * stay on /metrics (prom-client) and logs on stdout. Must run before http, fastify, mysql2 and
 * ioredis are first required: the entry points import `./register-*` first.
 */
export function startTracing(settings: TracingSettings, spanProcessors?: SpanProcessor[]): void {
  const sdk = startNodeSdk({
    spanProcessors,
    sampler: settings.samplerFromEnvironment ? undefined : storekeepSampler(settings.rootSampleRatio),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?', 1)[0]),
      }),
      // The request and handler spans; not one span per lifecycle hook (a dozen per request, each a
      // few microseconds of header or logging work): they made a cart creation export ~14 KB of
      // OTLP/JSON instead of ~6 KB.
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        ignorePaths: ({ url }) => UNTRACED_PATHS.has(url),
      }),
      // The statement with its literals masked: bound values (tokens, e-mail addresses, hashes) never
      // reach a span, as they never reach a log line (src/logging/logger-options.ts).
      new MySQL2Instrumentation({ maskStatement: true }),
      new IORedisInstrumentation({ dbStatementSerializer: redisStatement }),
    ],
  });
  traceBullJobs();
  markTracingStarted(() => sdk.shutdown());
}

/**
 * A Redis command as a span shows it: the command and its key, never the values (the default shows
 * every argument of EVAL, where Bull's scripts carry job payloads, e.g. a mail's recipient).
 */
export function redisStatement(command: string, args: Array<string | Buffer | number | unknown[]>): string {
  if (args.length === 0) return command;
  const key = /^eval/i.test(command) ? '' : ` ${String(args[0])}`;
  const rest = args.length - (key ? 1 : 0);
  return `${command}${key}${rest > 0 ? ` [${rest} other arguments]` : ''}`;
}

/**
 * Parent-based (a span follows its parent's decision); a new trace is sampled at `ratio`, except a
 * client span with no parent — a query or Redis command outside any request or job (the outbox
 * relay's polling, Bull's own bookkeeping, a readiness probe's SELECT 1): noise, dropped.
 */
export function storekeepSampler(ratio: number): Sampler {
  const root: Sampler = ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio);
  const noOrphanClients: Sampler = {
    shouldSample(
      parent: Context,
      traceId: string,
      name: string,
      kind: SpanKind,
      attributes: Attributes,
      links: Link[],
    ): SamplingResult {
      if (kind === SpanKind.CLIENT) return { decision: SamplingDecision.NOT_RECORD };
      return root.shouldSample(parent, traceId, name, kind, attributes, links);
    },
    toString: () => `NoOrphanClientSpans{${root.toString()}}`,
  };
  return new ParentBasedSampler({ root: noOrphanClients });
}
