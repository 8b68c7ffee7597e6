import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
} from '@opentelemetry/api';

/**
 * A unit of work's W3C trace context (`traceparent`, `tracestate`), as stored on an outbox row and
 * carried by the Bull job it becomes: how a job continues the trace of the request that caused it.
 */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/** The Bull job option that carries the trace context (beside jobId and delay, not in the payload). */
export const TRACE_CONTEXT_JOB_OPTION = 'traceContext';

let stopTracing: (() => Promise<void>) | undefined;

/** Called by the tracing bootstrap once the SDK runs; `shutdown` flushes and stops it. */
export function markTracingStarted(shutdown: () => Promise<void>): void {
  stopTracing = shutdown;
}

/** Whether this process traces (tracing is off unless configured: see libs/config/src/tracing.ts). */
export function tracingStarted(): boolean {
  return stopTracing !== undefined;
}

/** Exports the spans still buffered and stops the SDK (graceful shutdown); a no-op when off. */
export async function flushTracing(): Promise<void> {
  const stop = stopTracing;
  stopTracing = undefined;
  await stop?.();
}

/** The active span's trace context, or null when there is none (no span, or tracing off). */
export function activeTraceCarrier(): TraceCarrier | null {
  if (!stopTracing) return null;
  const carrier: Partial<TraceCarrier> = {};
  propagation.inject(context.active(), carrier);
  if (!carrier.traceparent) return null;
  return carrier.tracestate
    ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate }
    : { traceparent: carrier.traceparent };
}

/** The fields a log line gets while a span is active (a pino mixin): they join logs to traces. */
export function traceLogFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: traceFlags.toString(16).padStart(2, '0') };
}

/**
 * Runs `work` inside a new consumer span whose parent is `carrier`'s context (the producer's), or
 * a new trace when there is none; the span records the outcome and ends when `work` settles.
 */
export function inConsumerSpan<T>(
  name: string,
  carrier: TraceCarrier | null | undefined,
  attributes: Attributes,
  work: () => Promise<T>,
): Promise<T> {
  const parent = carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
  const tracer = trace.getTracer('storekeep');
  return tracer.startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : undefined,
      });
      throw error;
    } finally {
      span.end();
    }
  });
}
