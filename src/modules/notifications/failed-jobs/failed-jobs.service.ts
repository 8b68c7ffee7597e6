import { decodeCursor, encodeCursor, InvalidCursorError, type Page, type RequestActor } from '@app/common';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { AuditService } from '../../audit';
import { QueueRegistry } from '../../../queues/queue.registry';
import type {
  BulkFailedJobsDto,
  BulkFailedJobsResponseDto,
  FailedJobResponseDto,
  ListFailedJobsQueryDto,
} from './dto/failed-job.dto';
import { JobNotFailedError, JobNotFoundError, UnknownQueueError } from './failed-jobs.errors';
import { toFailedJobResponse } from './failed-job-views';

/** A failed job's place in the list: newest failure first, then queue and job id (both ascending). */
interface Position {
  at: number;
  queue: string;
  id: string;
}

const compare = (a: Position, b: Position): number =>
  b.at - a.at ||
  (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0) ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Most jobs a bulk retry or discard acts on in one call (the rest stay for the next). */
const BULK_MAX = 1_000;

/**
 * Staff's view of jobs that ran out of retries, across every queue, and the two ways out: retry
 * (back to waiting, one more attempt) or discard (removed). Bull keeps each queue's failed jobs in a
 * sorted set scored by the failure time; the list merges those sets under one stable cursor.
 */
@Injectable()
export class FailedJobsService {
  constructor(
    private readonly queues: QueueRegistry,
    private readonly transactions: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListFailedJobsQueryDto): Promise<Page<FailedJobResponseDto>> {
    const after = query.cursor ? this.decode(query.cursor) : undefined;
    const queues = query.queue ? [this.queue(query.queue)] : this.queues.all();
    const want = query.limit + 1;
    const merged = (await Promise.all(queues.map((queue) => this.failedAfter(queue, after, want))))
      .flat()
      .sort(compare)
      .slice(0, want);
    const hasMore = merged.length > query.limit;
    const page = merged.slice(0, query.limit);
    const jobs = await Promise.all(page.map((entry) => this.queue(entry.queue).getJob(entry.id)));
    const last = page[page.length - 1];
    return {
      // A job removed since its id was read is left out rather than shown half.
      data: page.flatMap((entry, i) =>
        jobs[i] ? [toFailedJobResponse(entry.queue, jobs[i], entry.at)] : [],
      ),
      nextCursor: hasMore ? encodeCursor({ at: last.at, q: last.queue, id: last.id }) : null,
    };
  }

  async retry(actor: RequestActor, queueName: string, id: string): Promise<FailedJobResponseDto> {
    const { queue, job } = await this.failedJob(queueName, id);
    const view = toFailedJobResponse(queue.name, job, job.finishedOn ?? Date.now());
    await this.actOn(queue, job, () => job.retry());
    await this.record(actor, 'job.retried', `${queue.name}/${id}`, { queue: queue.name, name: job.name });
    return view;
  }

  async discard(actor: RequestActor, queueName: string, id: string): Promise<void> {
    const { queue, job } = await this.failedJob(queueName, id);
    await this.actOn(queue, job, () => job.remove());
    await this.record(actor, 'job.discarded', `${queue.name}/${id}`, { queue: queue.name, name: job.name });
  }

  retryMany(actor: RequestActor, selection: BulkFailedJobsDto): Promise<BulkFailedJobsResponseDto> {
    return this.bulk(actor, selection, 'jobs.retried', (job) => job.retry());
  }

  discardMany(actor: RequestActor, selection: BulkFailedJobsDto): Promise<BulkFailedJobsResponseDto> {
    return this.bulk(actor, selection, 'jobs.discarded', (job) => job.remove());
  }

  private async bulk(
    actor: RequestActor,
    selection: BulkFailedJobsDto,
    action: string,
    act: (job: Job) => Promise<void>,
  ): Promise<BulkFailedJobsResponseDto> {
    if (selection.ids && !selection.queue) throw new UnknownQueueError('(none: ids need a queue)');
    const queues = selection.queue ? [this.queue(selection.queue)] : this.queues.all();
    const done: string[] = [];
    for (const queue of queues) {
      const jobs = selection.ids
        ? await Promise.all(selection.ids.map((id) => queue.getJob(id)))
        : await queue.getFailed(0, BULK_MAX - done.length - 1);
      for (const job of jobs) {
        if (!job || done.length >= BULK_MAX || !(await job.isFailed())) continue;
        try {
          await act(job);
          done.push(`${queue.name}/${String(job.id)}`);
        } catch {
          // Taken by someone else meanwhile (retried, removed, locked): not ours to count.
        }
      }
    }
    if (done.length > 0)
      await this.record(actor, action, selection.queue ?? '*', {
        queue: selection.queue ?? null,
        count: done.length,
        jobs: done.slice(0, 100),
      });
    return { count: done.length };
  }

  private async failedJob(queueName: string, id: string): Promise<{ queue: Queue; job: Job }> {
    const queue = this.queue(queueName);
    const job = await queue.getJob(id);
    if (!job) throw new JobNotFoundError(queue.name, id);
    const state = await job.getState();
    if (state !== 'failed') throw new JobNotFailedError(queue.name, id, state);
    return { queue, job };
  }

  /**
   * Retries or removes a job checked as failed. Another request may take it in between (a double
   * click, a second admin): Bull then throws a plain Error, answered as what the job is now.
   */
  private async actOn(queue: Queue, job: Job, act: () => Promise<void>): Promise<void> {
    try {
      await act();
    } catch (error) {
      const id = String(job.id);
      const now = await queue.getJob(id);
      if (!now) throw new JobNotFoundError(queue.name, id);
      const state = await now.getState();
      if (state !== 'failed') throw new JobNotFailedError(queue.name, id, state);
      throw error;
    }
  }

  private queue(name: string): Queue {
    const queue = this.queues.names.includes(name) ? this.queues.get(name) : undefined;
    if (!queue) throw new UnknownQueueError(name);
    return queue;
  }

  private decode(cursor: string): Position {
    const position = decodeCursor(cursor, ['at', 'q', 'id'] as const);
    const at = Number(position.at);
    if (!Number.isSafeInteger(at) || !this.queues.names.includes(position.q)) throw new InvalidCursorError();
    return { at, queue: position.q, id: position.id };
  }

  /**
   * Up to `want` failed jobs of `queue` that come after `after`, read newest first from the failed
   * set. Ties on the failure time are read to their end, so the caller's sort sees all of them.
   */
  private async failedAfter(queue: Queue, after: Position | undefined, want: number): Promise<Position[]> {
    const key = queue.toKey('failed');
    const chunk = want + 20;
    const found: Position[] = [];
    for (let offset = 0; ; offset += chunk) {
      const raw = await queue.client.zrevrangebyscore(
        key,
        after ? after.at : '+inf',
        '-inf',
        'WITHSCORES',
        'LIMIT',
        offset,
        chunk,
      );
      let lastScore = Infinity;
      for (let i = 0; i < raw.length; i += 2) {
        const entry = { at: Number(raw[i + 1]), queue: queue.name, id: raw[i] };
        lastScore = entry.at;
        if (!after || compare(after, entry) < 0) found.push(entry);
      }
      if (raw.length < chunk * 2) break;
      if (found.length >= want && lastScore < found[want - 1].at) break;
    }
    return found;
  }

  private async record(
    actor: RequestActor,
    action: string,
    targetId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.transactions.run((tx) =>
      this.audit.record(tx, actor, { action, target: { type: 'job', id: targetId.slice(0, 64) }, details }),
    );
  }
}
