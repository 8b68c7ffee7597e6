import { AppConfig } from '@app/config';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { QueueRegistry } from '../queues/queue-registry';
import { QUEUE_NAMES } from '../queues/queue-names';

/**
 * On shutdown the worker stops taking new jobs and lets the ones it is running finish, up to a
 * deadline. A job still running after it is abandoned: Bull sees it stalled and another worker
 * runs it again (jobs are idempotent, invariant 4).
 */
@Injectable()
export class WorkerShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger('WorkerShutdown');

  constructor(
    private readonly config: AppConfig,
    private readonly queues: QueueRegistry,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    const deadlineMs = this.config.worker.shutdownTimeoutMs;
    const queues = QUEUE_NAMES.map((name) => this.queues.get(name)).filter((queue) => queue !== undefined);
    // pause(isLocal = true) stops this process taking jobs and resolves when its active ones finish.
    const drained = Promise.all(queues.map((queue) => queue.pause(true, false))).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
    const finished = await Promise.race([drained, deadline]);
    clearTimeout(timer);
    if (finished) this.logger.log('Worker drained: no job running');
    else {
      this.logger.warn(`Jobs still running after ${deadlineMs} ms; leaving them to be retried`);
      // Close without waiting, so the queue module's own close does not wait for them either.
      await Promise.all(queues.map((queue) => queue.close(true)));
    }
  }
}
