import type { OrderMailSummary, OrderMailTemplate, OrderMailTemplates } from './mail.jobs';
import { renderMail } from './mail-templates';

const publicAppUrl = 'https://shop.example.com';
const shop = { name: 'Käse & Co', address: 'Käse & Co GmbH\nHauptstraße 1\n10115 Berlin' };
const hostile = `<script>alert("x")</script>`;

const order: OrderMailSummary = {
  // Survives greetingName (no slash, colon or domain) but carries every HTML-special character.
  name: `<script>alert("x") & 'Bob'`,
  number: 'SK-000123',
  currency: 'EUR',
  lines: [{ title: `Tee ${hostile}`, variantTitle: 'M', quantity: 2, total: 5000 }],
  totals: { subtotal: 5000, discount: 500, shipping: 490, tax: 798, total: 4990, taxIncluded: true },
};

const DATA: { [T in OrderMailTemplate]: OrderMailTemplates[T]['data'] } = {
  'order-confirmation': { ...order, paymentMethod: 'card', shippingMethodName: `DHL ${hostile}` },
  'payment-received': { ...order, amount: 4990 },
  'payment-failed': { name: order.name, number: order.number, amount: 4990, currency: 'EUR' },
  'order-shipped': {
    ...order,
    shipments: [
      { carrier: 'DHL', trackingNumber: 'JD01"><b>', trackingUrl: 'https://dhl.example/t?id=JD01%22%3E&x=1' },
    ],
  },
  'order-delivered': { name: order.name, number: order.number },
  'order-cancelled': { ...order, reason: hostile, refundDue: true },
  'order-refunded': {
    name: order.name,
    number: order.number,
    amount: 1000,
    currency: 'EUR',
    complete: false,
  },
};

const render = <T extends OrderMailTemplate>(template: T) =>
  renderMail(template, { data: DATA[template], secrets: {}, publicAppUrl, shop });

describe('order mail templates', () => {
  it.each(Object.keys(DATA) as OrderMailTemplate[])(
    '%s: both parts name the order and the shop, and the HTML escapes what the customer typed',
    (template) => {
      const mail = render(template);
      expect(mail.subject).toContain('SK-000123');
      for (const part of [mail.text, mail.html]) expect(part).toContain('SK-000123');
      expect(mail.text).toContain('— The Käse & Co team');
      expect(mail.text).toContain('Hauptstraße 1\n10115 Berlin');
      expect(mail.html).toContain('The Käse &amp; Co team');
      expect(mail.html).toContain('Käse &amp; Co GmbH<br>Hauptstraße 1<br>10115 Berlin');
      expect(mail.html).not.toMatch(/<script|<b>|&(?![a-z#0-9]+;)/i);
      expect(mail.html).toContain('Hello &lt;script&gt;alert(&quot;x&quot;) &amp; &#39;Bob&#39;,');
      expect(mail.text).toContain(`Hello <script>alert("x") & 'Bob',`);
    },
  );

  it('shows lines and totals in both parts', () => {
    const mail = render('order-confirmation');
    expect(mail.text).toContain('2 × Tee <script>alert("x")</script> (M): EUR 50.00');
    expect(mail.text).toContain('Discount: EUR -5.00');
    expect(mail.text).toContain('Tax (included): EUR 7.98');
    expect(mail.text).toContain('Total: EUR 49.90');
    expect(mail.html).toContain('Tee &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; (M)');
    expect(mail.html).toContain('<strong>EUR 49.90</strong>');
  });

  it('gives each parcel its carrier, number and tracking link', () => {
    const mail = render('order-shipped');
    expect(mail.text).toContain('DHL, tracking number JD01"><b>');
    expect(mail.text).toContain('Track it: https://dhl.example/t?id=JD01%22%3E&x=1');
    expect(mail.html).toContain('href="https://dhl.example/t?id=JD01%22%3E&amp;x=1"');
    expect(mail.html).toContain('<strong>JD01&quot;&gt;&lt;b&gt;</strong>');
    const unknown = renderMail('order-shipped', {
      data: {
        ...DATA['order-shipped'],
        shipments: [{ carrier: 'Bike', trackingNumber: 'B1', trackingUrl: null }],
      },
      secrets: {},
      publicAppUrl,
      shop,
    });
    expect(unknown.text).toContain('Bike, tracking number B1');
    expect(unknown.text).not.toContain('Track it');
    expect(unknown.html).not.toContain('href=');
  });

  it('says whether money goes back on cancellation, and whether a refund is partial', () => {
    expect(render('order-cancelled').text).toContain('will be refunded');
    expect(render('order-refunded').subject).toBe('Refund of EUR 10.00 for order SK-000123');
    expect(render('order-refunded').text).toContain('partial refund');
  });
});
