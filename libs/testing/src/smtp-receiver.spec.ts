import { createTransport } from 'nodemailer';
import { extractLink, SmtpReceiver } from './smtp-receiver';

describe('extractLink', () => {
  const text =
    'Home: https://shop.test/ then https://shop.test/verify-email?token=a%2Bb. Or http://x.test/reset';

  it('returns the first URL whose path starts with the prefix, without trailing punctuation', () => {
    expect(extractLink(text, '/verify-email')).toBe('https://shop.test/verify-email?token=a%2Bb');
    expect(extractLink(text, '/reset')).toBe('http://x.test/reset');
  });

  it('returns undefined when no URL matches', () => {
    expect(extractLink(text, '/nope')).toBeUndefined();
  });
});

describe('SmtpReceiver', () => {
  let receiver: SmtpReceiver;
  beforeAll(async () => {
    receiver = await SmtpReceiver.start();
  });
  afterAll(() => receiver.close());

  it('receives and parses a message, and waitForMessage finds it', async () => {
    const waiting = receiver.waitForMessage((mail) => mail.parsed.subject === 'Hi');
    const transport = createTransport({ host: '127.0.0.1', port: receiver.port, secure: false });
    await transport.sendMail({
      from: 'a@x.test',
      to: 'B@y.test',
      subject: 'Hi',
      text: 'body',
      html: '<b>body</b>',
    });
    transport.close();
    const mail = await waiting;
    expect(mail.recipients).toEqual(['b@y.test']);
    expect(mail.parsed.text?.trim()).toBe('body');
    expect(mail.parsed.html).toBe('<b>body</b>');
  });

  it('rejects with a clear error when no message matches in time', async () => {
    await expect(receiver.waitForMessage(() => false, 50)).rejects.toThrow(
      /no matching message within 50 ms/,
    );
  });
});
