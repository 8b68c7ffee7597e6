import type { OrderMailSummary, OrderMailTemplate, OrderMailTemplates } from './mail.jobs';
import {
  button,
  escapeHtml,
  formatMoney,
  greeting,
  layout,
  textFooter,
  type ShopIdentity,
} from './mail-layout';

export interface RenderedOrderMail {
  subject: string;
  text: string;
  html: string;
}

type OrderRenderer<T extends OrderMailTemplate> = (input: {
  data: OrderMailTemplates[T]['data'];
  shop: ShopIdentity;
}) => RenderedOrderMail;

const PAYMENT_METHOD_LABELS: Record<string, string> = {
  card: 'Card',
  bank_transfer: 'Bank transfer',
  cash_on_delivery: 'Cash on delivery',
};

/** The lines and totals, as text rows and as one escaped HTML table. */
function summary(order: OrderMailSummary): { text: string[]; html: string } {
  const money = (amount: number) => formatMoney(amount, order.currency);
  const lineName = (line: OrderMailSummary['lines'][number]) =>
    line.variantTitle ? `${line.title} (${line.variantTitle})` : line.title;
  const { totals } = order;
  const rows: Array<[string, string]> = [
    ['Subtotal', money(totals.subtotal)],
    ...(totals.discount > 0 ? [['Discount', money(-totals.discount)] as [string, string]] : []),
    ['Shipping', money(totals.shipping)],
    [totals.taxIncluded ? 'Tax (included)' : 'Tax', money(totals.tax)],
  ];
  const text = [
    ...order.lines.map((line) => `${line.quantity} × ${lineName(line)}: ${money(line.total)}`),
    '',
    ...rows.map(([label, value]) => `${label}: ${value}`),
    `Total: ${money(totals.total)}`,
  ];
  const cell = (value: string, right = false) =>
    `<td style="padding: 4px 8px;${right ? ' text-align: right;' : ''}">${escapeHtml(value)}</td>`;
  const html = [
    '<table style="border-collapse: collapse;">',
    ...order.lines.map(
      (line) =>
        `<tr>${cell(`${line.quantity} ×`)}${cell(lineName(line))}${cell(money(line.total), true)}</tr>`,
    ),
    ...rows.map(([label, value]) => `<tr><td></td>${cell(label)}${cell(value, true)}</tr>`),
    `<tr><td></td><td style="padding: 4px 8px;"><strong>Total</strong></td>` +
      `<td style="padding: 4px 8px; text-align: right;"><strong>${escapeHtml(money(totals.total))}</strong></td></tr>`,
    '</table>',
  ].join('');
  return { text, html };
}

/** A mail of a greeting, plain paragraphs (text, escaped here), optionally the order summary, and extras. */
function orderMail(
  shop: ShopIdentity,
  options: {
    subject: string;
    name: string;
    paragraphs: string[];
    order?: OrderMailSummary;
    /** Already-built parts: text lines and escaped HTML paragraphs, placed after the summary. */
    extra?: { text: string[]; html: string[] };
  },
): RenderedOrderMail {
  const { subject, name, paragraphs, order, extra } = options;
  const table = order ? summary(order) : undefined;
  const text = [
    greeting(name),
    '',
    ...paragraphs.flatMap((paragraph) => [paragraph, '']),
    ...(table ? [...table.text, ''] : []),
    ...(extra ? [...extra.text, ''] : []),
    ...textFooter(shop),
  ];
  const html = layout(shop, subject, [
    escapeHtml(greeting(name)),
    ...paragraphs.map(escapeHtml),
    ...(table ? [table.html] : []),
    ...(extra?.html ?? []),
  ]);
  return { subject, text: text.join('\n'), html };
}

export const ORDER_RENDERERS: { [T in OrderMailTemplate]: OrderRenderer<T> } = {
  'order-confirmation': ({ data, shop }) =>
    orderMail(shop, {
      subject: `Your ${shop.name} order ${data.number}`,
      name: data.name,
      paragraphs: [
        `Thank you for your order ${data.number}. We have received it and will let you know when it ships.`,
        `Payment: ${PAYMENT_METHOD_LABELS[data.paymentMethod] ?? data.paymentMethod}` +
          (data.shippingMethodName ? ` · Shipping: ${data.shippingMethodName}` : ''),
      ],
      order: data,
    }),

  'payment-received': ({ data, shop }) =>
    orderMail(shop, {
      subject: `Payment received for order ${data.number}`,
      name: data.name,
      paragraphs: [
        `We have received your payment of ${formatMoney(data.amount, data.currency)} for order ${data.number}. ` +
          'We are preparing it for shipping.',
      ],
      order: data,
    }),

  'payment-failed': ({ data, shop }) =>
    orderMail(shop, {
      subject: `Payment for order ${data.number} did not go through`,
      name: data.name,
      paragraphs: [
        `Your payment of ${formatMoney(data.amount, data.currency)} for order ${data.number} was declined. ` +
          'Your order is still reserved for you: please try again with another payment method.',
        'No money has been taken for this attempt.',
      ],
    }),

  'order-shipped': ({ data, shop }) => {
    const parcels = data.shipments.map((shipment) => ({
      text: [
        `${shipment.carrier}, tracking number ${shipment.trackingNumber}`,
        ...(shipment.trackingUrl ? [`Track it: ${shipment.trackingUrl}`] : []),
      ],
      html:
        `${escapeHtml(shipment.carrier)}, tracking number <strong>${escapeHtml(shipment.trackingNumber)}</strong>` +
        (shipment.trackingUrl ? `<br>${button(shipment.trackingUrl, 'Track your parcel')}` : ''),
    }));
    return orderMail(shop, {
      subject: `Your order ${data.number} is on its way`,
      name: data.name,
      paragraphs: [`Good news: your order ${data.number} has shipped.`],
      order: data,
      extra: {
        text: parcels.flatMap((parcel) => parcel.text),
        html: parcels.map((parcel) => parcel.html),
      },
    });
  },

  'order-delivered': ({ data, shop }) =>
    orderMail(shop, {
      subject: `Your order ${data.number} has been delivered`,
      name: data.name,
      paragraphs: [
        `Your order ${data.number} has been delivered. We hope you enjoy it.`,
        'If anything is missing or damaged, reply to this email and we will sort it out.',
      ],
    }),

  'order-cancelled': ({ data, shop }) =>
    orderMail(shop, {
      subject: `Your order ${data.number} has been cancelled`,
      name: data.name,
      paragraphs: [
        `Your order ${data.number} has been cancelled.`,
        data.refundDue
          ? 'Your payment will be refunded to the original payment method; we will email you when it is on its way.'
          : 'No payment was taken for it.',
      ],
      order: data,
    }),

  'order-refunded': ({ data, shop }) =>
    orderMail(shop, {
      subject: `Refund of ${formatMoney(data.amount, data.currency)} for order ${data.number}`,
      name: data.name,
      paragraphs: [
        `We have refunded ${formatMoney(data.amount, data.currency)} for order ${data.number} to your original ` +
          'payment method. Depending on your bank it may take a few days to show.',
        ...(data.complete ? [] : ['This is a partial refund; the rest of your order stands.']),
      ],
    }),
};
