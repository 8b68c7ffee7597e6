import { Process, Processor } from '@nestjs/bull';
import type { OutboxJob } from '../../outbox';
import { MailService } from '../mail/mail.service';
import { UndeliverableMailError } from '../mail/mail.errors';
import { MAIL_QUEUE, MailJobs } from '../mail/mail.jobs';

@Processor(MAIL_QUEUE)
export class MailProcessor {
  constructor(private readonly mail: MailService) {}

  @Process(MailJobs.send)
  async send(job: OutboxJob<'mail.send'>): Promise<{ result: 'sent' | 'already-sent' }> {
    try {
      return { result: await this.mail.deliver(job.data, String(job.id)) };
    } catch (error) {
      // Retrying cannot fix an unknown template or an unreadable secret: fail the job for good.
      if (error instanceof UndeliverableMailError) await job.discard();
      throw error;
    }
  }
}
