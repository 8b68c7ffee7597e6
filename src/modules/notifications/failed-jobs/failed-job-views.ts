import type { Job } from 'bull';
import type { FailedJobResponseDto } from './dto/failed-job.dto';

const REDACTED = '[redacted]';
/** Keys whose values never leave the worker: sealed mail secrets, tokens, passwords, keys, cookies. */
const SECRET_KEY =
  /secret|token|pass(word|wd|phrase)|^pwd$|authorization|cookie|(api|private|access)[-_]?key|signature|credential/i;
const MAX_DEPTH = 8;

/** The payload with every value under a secret-looking key replaced, however deep. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        key,
        SECRET_KEY.test(key) ? REDACTED : redactSecrets(item, depth + 1),
      ]),
    );
  return value;
}

const iso = (ms: number | null | undefined): string | null =>
  typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;

export function toFailedJobResponse(queue: string, job: Job, failedAt: number): FailedJobResponseDto {
  const data = redactSecrets(job.data);
  return {
    queue,
    id: String(job.id),
    name: job.name,
    failedReason: job.failedReason ?? '',
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    createdAt: iso(job.timestamp) ?? new Date(0).toISOString(),
    processedAt: iso(job.processedOn),
    failedAt: iso(job.finishedOn ?? failedAt)!,
    data:
      data && typeof data === 'object' && !Array.isArray(data)
        ? (data as Record<string, unknown>)
        : { value: data },
  };
}
