import { AppConfig } from '@app/config';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { QueueRegistry } from '../queues/queue.registry';

/**
 * On shutdown the worker stops taking new jobs and lets the ones it is running finish, up to a
 * deadline. A job still running after it is abandoned: Bull sees it stalled and another worker
 * runs it again (jobs are idempotent, invariant 4).
 */
@Injectable()
export class WorkerShutdownService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WorkerShutdownService');
  /** Jobs running in this process, by queue and id: a job that went active before the listeners
   * were attached (e.g. one added at startup) then finishes without miscounting the others. */
  private readonly running = new Set<string>();
  private idle: (() => void) | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly queues: QueueRegistry,
  ) {}

  onApplicationBootstrap(): void {
    // Count this process's running jobs from Bull's local events (Bull's own wait for them leaves
    // a dangling reconnection promise when the queue is then closed before they finish).
    for (const queue of this.ownQueues()) {
      const key = (job: Job) => `${queue.name}:${String(job.id)}`;
      queue.on('active', (job: Job) => this.running.add(key(job)));
      const settled = (job: Job) => {
        this.running.delete(key(job));
        if (this.running.size === 0) this.idle?.();
      };
      queue.on('completed', settled);
      queue.on('failed', settled);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    const queues = this.ownQueues();
    // Stop taking jobs now; do not wait here (doNotWaitActive) — the wait is bounded below.
    await this.forEachQueue(queues, 'pause', (queue) => queue.pause(true, true));
    const deadlineMs = this.config.worker.shutdownTimeoutMs;
    const drained = this.running.size === 0 || (await this.waitForIdle(deadlineMs));
    if (drained) {
      this.logger.log('Worker drained: no job running');
      return;
    }
    this.logger.warn(
      `${this.running.size} job(s) still running after ${deadlineMs} ms; leaving them to be retried`,
    );
    // Close without waiting, so the queue module's own close does not wait for them either.
    await this.forEachQueue(queues, 'close', (queue) => queue.close(true));
  }

  /**
   * Runs a shutdown step on every queue; one queue's failure (e.g. "Connection is closed" from a
   * client already closing, seen more often the more queues the worker consumes) neither stops the
   * others nor fails the shutdown.
   */
  private async forEachQueue(
    queues: Queue[],
    step: string,
    action: (queue: Queue) => Promise<void>,
  ): Promise<void> {
    const results = await Promise.allSettled(queues.map(action));
    results.forEach((result, index) => {
      if (result.status === 'rejected')
        this.logger.warn(`could not ${step} queue ${queues[index].name}: ${String(result.reason)}`);
    });
  }

  private waitForIdle(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  private ownQueues(): Queue[] {
    return this.queues.all();
  }
}
