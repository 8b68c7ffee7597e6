import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { MailService } from '../mail/mail.service';
import { UndeliverableMailError } from '../mail/mail.errors';
import { MAIL_QUEUE, MailJobs, SendMailPayload } from '../mail/mail.jobs';

@Processor(MAIL_QUEUE)
export class MailProcessor {
  constructor(private readonly mail: MailService) {}

  @Process(MailJobs.send)
  async send(job: Job<SendMailPayload>): Promise<{ result: 'sent' | 'already-sent' }> {
    try {
      return { result: await this.mail.deliver(job.data, String(job.id)) };
    } catch (error) {
      // Retrying cannot fix an unknown template or an unreadable secret: fail the job for good.
      if (error instanceof UndeliverableMailError) await job.discard();
      throw error;
    }
  }
}
