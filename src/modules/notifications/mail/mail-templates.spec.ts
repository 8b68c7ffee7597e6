import { MailTemplate } from './mail.jobs';
import { escapeHtml, formatMoney, greetingName, MAIL_TEMPLATE_SECRETS, renderMail } from './mail-templates';

const publicAppUrl = 'https://shop.example.com';
// Survives greetingName (no slash, colon or domain) but carries every HTML-special character.
const hostileName = `<script>alert("x") & 'Bob'`;

describe('mail templates', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  });

  it.each<MailTemplate>(['verify-email', 'reset-password', 'password-changed'])(
    '%s escapes every interpolated value in the HTML part',
    (template) => {
      const mail = renderMail(template, {
        data: { name: hostileName },
        secrets: { token: 'abc' },
        publicAppUrl,
      });
      expect(mail.html).not.toContain('<script>');
      expect(mail.html).not.toContain(`'Bob'`);
      expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;Bob&#39;');
      expect(mail.subject).toMatch(/Storekeep/);
      // The text part is plain text: the name appears as written, never as HTML entities.
      expect(mail.text).toContain(hostileName);
    },
  );

  it('repeats only a short single-line name with nothing link-like in it', () => {
    expect(greetingName('Ada\r\n\u200bLovelace')).toBe('Ada Lovelace');
    expect(greetingName('Claim your prize at https://evil.example')).toBe('');
    expect(greetingName('visit evil.com now')).toBe('');
    expect(greetingName('write to me@evil.example')).toBe('');
    expect(greetingName('x'.repeat(200))).toHaveLength(60);
    const mail = renderMail('verify-email', {
      data: { name: 'Your account is locked, go to www.evil.example' },
      secrets: { token: 'abc' },
      publicAppUrl,
    });
    expect(mail.text).not.toContain('evil');
    expect(mail.html).not.toContain('evil');
  });

  it('links the verification mail to /verify-email with the token URL-encoded, valid for 24 hours', () => {
    const token = 'a+b/c=d&e f';
    const mail = renderMail('verify-email', { data: { name: 'Ann' }, secrets: { token }, publicAppUrl });
    const link = `${publicAppUrl}/verify-email?token=${encodeURIComponent(token)}`;
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
    expect(new URL(link).searchParams.get('token')).toBe(token);
    expect(mail.text).toContain('24 hours');
    expect(mail.html).toContain('24 hours');
  });

  it('links the reset mail to /reset-password with the token URL-encoded, valid for 1 hour', () => {
    const token = 'x"y<z>';
    const mail = renderMail('reset-password', { data: { name: 'Ann' }, secrets: { token }, publicAppUrl });
    const link = `${publicAppUrl}/reset-password?token=${encodeURIComponent(token)}`;
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.html).not.toContain(token);
    expect(mail.text).toContain('1 hour');
    expect(mail.html).toContain('1 hour');
  });

  it('escapes the configured base URL in the HTML part too', () => {
    const mail = renderMail('verify-email', {
      data: { name: 'Ann' },
      secrets: { token: 't' },
      publicAppUrl: 'https://shop.example.com/"><img src=x>',
    });
    expect(mail.html).not.toContain('"><img');
  });

  it('greets without a name when none is given', () => {
    const mail = renderMail('password-changed', { data: { name: ' ' }, secrets: {}, publicAppUrl });
    expect(mail.text.startsWith('Hello,\n')).toBe(true);
    expect(mail.text).toMatch(/did not/);
  });

  it('lists the secrets each template needs', () => {
    expect(MAIL_TEMPLATE_SECRETS).toEqual({
      'verify-email': ['token'],
      'reset-password': ['token'],
      'password-changed': [],
      'low-stock': [],
      'payment-reminder': [],
      'order-confirmation': [],
      'payment-received': [],
      'payment-failed': [],
      'order-shipped': [],
      'order-delivered': [],
      'order-cancelled': [],
      'order-refunded': [],
      'webhook-disabled': [],
    });
  });

  it('names the disabled webhook endpoint and why, with the URL escaped in HTML', () => {
    const mail = renderMail('webhook-disabled', {
      data: { endpointId: 'e1', url: 'https://hooks.example.com/<x>', reason: 'gone' },
      secrets: {},
      publicAppUrl,
    });
    expect(mail.subject).toBe('Webhook endpoint disabled: https://hooks.example.com/<x>');
    expect(mail.text).toContain('410 Gone');
    expect(mail.html).toContain('https://hooks.example.com/&lt;x&gt;');
    expect(mail.html).not.toContain('<x>');
  });

  it('escapes the product title of a low-stock alert', () => {
    const mail = renderMail('low-stock', {
      data: { sku: 'TEE-M', title: '<b>Tee</b>', available: 2, threshold: 5 },
      secrets: {},
      publicAppUrl,
    });
    expect(mail.subject).toBe('Low stock: TEE-M has 2 left');
    expect(mail.html).toContain('&lt;b&gt;Tee&lt;/b&gt;');
    expect(mail.text).toContain(
      '<b>Tee</b> (SKU TEE-M) has 2 available across all locations, below its low-stock threshold of 5.',
    );
  });

  it('formats money from its minor units by the exponent of the currency, without floats', () => {
    expect(formatMoney(123456, 'EUR')).toBe('EUR 1,234.56');
    expect(formatMoney(5, 'EUR')).toBe('EUR 0.05');
    expect(formatMoney(1500, 'JPY')).toBe('JPY 1,500');
    expect(formatMoney(1234567, 'KWD')).toBe('KWD 1,234.567');
  });

  it('reminds of a bank transfer with the amount, the order number as reference and the bank details', () => {
    const data = {
      name: 'Ada',
      number: 'SK-10042',
      amount: 2490,
      currency: 'EUR',
      payBy: '2026-12-14T09:30:00.000Z',
      instructions: 'Storekeep GmbH\nIBAN DE89 3704 0044 0532 0130 00 <BIC COBADEFFXXX>',
    };
    const mail = renderMail('payment-reminder', { data, secrets: {}, publicAppUrl });
    expect(mail.subject).toBe('Reminder: please pay EUR 24.90 for order SK-10042');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('Hello Ada,');
      expect(part).toContain('EUR 24.90');
      expect(part).toContain('SK-10042');
      expect(part).toContain('2026-12-14 09:30 UTC');
    }
    expect(mail.text).toContain('Payment reference: SK-10042');
    expect(mail.text).toContain('IBAN DE89 3704 0044 0532 0130 00 <BIC COBADEFFXXX>');
    expect(mail.html).toContain('Storekeep GmbH<br>IBAN DE89 3704 0044 0532 0130 00 &lt;BIC COBADEFFXXX&gt;');
    const without = renderMail('payment-reminder', {
      data: { ...data, instructions: '' },
      secrets: {},
      publicAppUrl,
    });
    expect(without.text).toContain('contact us for our bank details');
    expect(without.text).not.toContain('IBAN');
  });
});
