import {
  inConsumerSpan,
  TRACE_CONTEXT_JOB_OPTION,
  type TraceCarrier,
} from '@app/common/tracing/trace-context';
import type { Job, Queue } from 'bull';

type Handler = (job: Job, done?: (error?: Error | null, result?: unknown) => void) => unknown;

/**
 * Runs every Bull job of this process inside a consumer span, continuing the trace its outbox row
 * carried (the job option `traceContext`, copied from the row by the relay): one wrapper around
 * `Queue#process`, where @nestjs/bull registers each `@Process` handler, instead of code in every
 * processor. Installed only when tracing is on (no official instrumentation exists for Bull 4).
 */
export function traceBullJobs(): void {
  // Required here, once the SDK runs: loading Bull loads ioredis, which must be patched first.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const prototype = (require('bull') as { prototype: { process: (...args: unknown[]) => Promise<void> } })
    .prototype;
  const process = prototype.process;
  prototype.process = function (this: Queue, ...args: unknown[]): Promise<void> {
    const last = args.length - 1;
    const handler = args[last];
    if (typeof handler === 'function') args[last] = traced(this.name, handler as Handler);
    return process.apply(this, args);
  };
}

/** The handler in a span; always the one-argument promise form (Bull reads the arity). */
export function traced(queueName: string, handler: Handler): (job: Job) => Promise<unknown> {
  const run =
    handler.length > 1
      ? (job: Job) =>
          new Promise((resolve, reject) =>
            handler(job, (error, result) => (error ? reject(error) : resolve(result))),
          )
      : (job: Job) => Promise.resolve(handler(job));
  return (job: Job) =>
    inConsumerSpan(
      `process ${job.name}`,
      (job.opts as Record<string, unknown>)[TRACE_CONTEXT_JOB_OPTION] as TraceCarrier | undefined,
      {
        'messaging.system': 'bull',
        'messaging.operation.type': 'process',
        'messaging.destination.name': queueName,
        'messaging.message.id': String(job.id),
        'bull.job.name': job.name,
        'bull.job.attempt': job.attemptsMade + 1,
      },
      () => run(job),
    );
}
