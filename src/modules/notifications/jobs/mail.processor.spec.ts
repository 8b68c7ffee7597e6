import type { Job } from 'bull';
import { UndeliverableMailError } from '../mail/mail.errors';
import { MailService } from '../mail/mail.service';
import { SendMailPayload } from '../mail/mail.jobs';
import { MailProcessor } from './mail.processor';

function jobWith(id: string) {
  return { id, data: {} as SendMailPayload, discard: jest.fn() } as unknown as Job<SendMailPayload> & {
    discard: jest.Mock;
  };
}

describe('MailProcessor', () => {
  it('delivers with the Bull job id', async () => {
    const deliver = jest.fn().mockResolvedValue('sent');
    const job = jobWith('outbox-9');
    await expect(new MailProcessor({ deliver } as unknown as MailService).send(job)).resolves.toEqual({
      result: 'sent',
    });
    expect(deliver).toHaveBeenCalledWith(job.data, 'outbox-9');
  });

  it('discards the job on a permanent failure and still fails it', async () => {
    const deliver = jest.fn().mockRejectedValue(new UndeliverableMailError('unknown template'));
    const job = jobWith('outbox-9');
    await expect(new MailProcessor({ deliver } as unknown as MailService).send(job)).rejects.toThrow(
      UndeliverableMailError,
    );
    expect(job.discard).toHaveBeenCalled();
  });

  it('leaves other failures to Bull retries', async () => {
    const deliver = jest.fn().mockRejectedValue(new Error('connection refused'));
    const job = jobWith('outbox-9');
    await expect(new MailProcessor({ deliver } as unknown as MailService).send(job)).rejects.toThrow(
      'connection refused',
    );
    expect(job.discard).not.toHaveBeenCalled();
  });
});
