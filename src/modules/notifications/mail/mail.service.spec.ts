import { SecretBox } from '@app/common';
import { loadConfig } from '@app/config';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { SendMailPayload } from './mail.jobs';
import { MailTransportService, OutgoingMail } from './mail-transport.service';
import { UndeliverableMailError } from './mail.errors';
import { MAIL_SECRET_CONTEXT } from './mail.jobs';
import { MailService, mailMessageId, mailSentMarkerKey } from './mail.service';

const config = loadConfig({ PUBLIC_APP_URL: 'https://shop.example.com' });
const secretBox = new SecretBox(config);

function setup() {
  const store = new Map<string, string>();
  const redis = {
    exists: jest.fn((key: string) => Promise.resolve(store.has(key) ? 1 : 0)),
    set: jest.fn((key: string, value: string) => {
      store.set(key, value);
      return Promise.resolve('OK');
    }),
  };
  const sent: OutgoingMail[] = [];
  const transport = {
    send: jest.fn((mail: OutgoingMail) => {
      sent.push(mail);
      return Promise.resolve();
    }),
  };
  const service = new MailService(
    config,
    secretBox,
    transport as unknown as MailTransportService,
    redis as unknown as Redis,
  );
  return { service, redis, transport, sent, store };
}

const verifyPayload = (token = 'tok-123'): SendMailPayload<'verify-email'> => ({
  template: 'verify-email',
  to: 'ann@Example.com',
  data: { name: 'Ann' },
  sealedSecrets: { token: secretBox.seal(token, MAIL_SECRET_CONTEXT) },
});

describe('MailService.deliver', () => {
  it('opens the secret, renders and sends, then marks the job sent for 7 days', async () => {
    const { service, sent, redis } = setup();
    await expect(service.deliver(verifyPayload(), 'outbox-1')).resolves.toBe('sent');
    expect(sent).toHaveLength(1);
    expect(sent[0].to).toBe('ann@Example.com');
    expect(sent[0].text).toContain('https://shop.example.com/verify-email?token=tok-123');
    expect(redis.set).toHaveBeenCalledWith(mailSentMarkerKey('outbox-1'), expect.any(String), 'EX', 604_800);
  });

  it("gives a mail the same Message-ID at every send of its job, in the sender's domain", async () => {
    const { service, sent, store } = setup();
    await service.deliver(verifyPayload(), 'outbox:7');
    store.clear(); // the sent-marker lost (a Redis restart): the job sends again
    await service.deliver(verifyPayload(), 'outbox:7');
    await service.deliver(verifyPayload(), 'outbox:8');
    expect(sent.map((mail) => mail.messageId)).toEqual([
      '<mail.outbox-7@storekeep.local>',
      '<mail.outbox-7@storekeep.local>',
      '<mail.outbox-8@storekeep.local>',
    ]);
    expect(mailMessageId('1', 'Shop <orders@shop.example.com>')).toBe('<mail.1@shop.example.com>');
    expect(mailMessageId('1', 'orders@shop.example.com')).toBe('<mail.1@shop.example.com>');
  });

  it('sends once when the same job is delivered twice', async () => {
    const { service, sent } = setup();
    await service.deliver(verifyPayload(), 'outbox-2');
    await expect(service.deliver(verifyPayload(), 'outbox-2')).resolves.toBe('already-sent');
    expect(sent).toHaveLength(1);
  });

  it('does not mark the job sent when SMTP fails (so the retry sends it)', async () => {
    const { service, transport, store } = setup();
    transport.send.mockRejectedValueOnce(new Error('421 try later'));
    await expect(service.deliver(verifyPayload(), 'outbox-3')).rejects.toThrow('421 try later');
    expect(store.size).toBe(0);
  });

  it('completes when the mail went out but the marker could not be written', async () => {
    const { service, redis, sent } = setup();
    redis.set.mockRejectedValueOnce(new Error('READONLY'));
    await expect(service.deliver(verifyPayload(), 'outbox-4')).resolves.toBe('sent');
    expect(sent).toHaveLength(1);
  });

  it('logs neither the secret, the body nor the full address', async () => {
    const logged: unknown[] = [];
    const spies = (['log', 'warn', 'error'] as const).map((level) =>
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => void logged.push(args)),
    );
    try {
      const { service } = setup();
      await service.deliver(verifyPayload('secret-token-value'), 'outbox-6');
      await service.deliver(verifyPayload('secret-token-value'), 'outbox-6');
      await service
        .deliver({ ...verifyPayload(), template: 'nope' } as never, 'outbox-7')
        .catch(() => undefined);
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
    const text = JSON.stringify(logged);
    expect(logged.length).toBeGreaterThan(0);
    expect(text).toContain('example.com');
    expect(text).not.toMatch(/secret-token-value|ann@|Hello|v1\./i);
  });

  it.each<[string, (payload: SendMailPayload<'verify-email'>) => unknown]>([
    ['an unknown template', (payload) => ({ ...payload, template: 'no-such-template' })],
    [
      'a corrupted secret',
      (payload) => ({
        ...payload,
        sealedSecrets: { token: payload.sealedSecrets.token.slice(0, -4) + 'AAAA' },
      }),
    ],
    [
      'a secret sealed for another context',
      (payload) => ({ ...payload, sealedSecrets: { token: secretBox.seal('t', 'user') } }),
    ],
    ['a missing secret', (payload) => ({ ...payload, sealedSecrets: {} })],
    ['two recipients', (payload) => ({ ...payload, to: 'a@example.com, b@example.com' })],
    ['missing data', (payload) => ({ ...payload, data: undefined })],
  ])('fails permanently on %s and sends nothing', async (_, corrupt) => {
    const { service, sent } = setup();
    await expect(
      service.deliver(corrupt(verifyPayload()) as SendMailPayload, 'outbox-5'),
    ).rejects.toBeInstanceOf(UndeliverableMailError);
    expect(sent).toHaveLength(0);
  });
});
