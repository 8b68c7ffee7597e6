import { MailTemplate, MailTemplates } from './mail.jobs';
import {
  button,
  DEFAULT_SHOP,
  escapeHtml,
  escapeLines,
  formatMoney,
  greeting,
  layout,
  textFooter,
  utcMinute,
  type ShopIdentity,
} from './mail-layout';
import { ORDER_RENDERERS } from './order-mail-templates';

export { escapeHtml, formatMoney, greetingName } from './mail-layout';
export type { ShopIdentity } from './mail-layout';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** What a renderer gets: the template's data, its opened secrets, the storefront's base URL and the shop. */
export interface MailRenderInput<T extends MailTemplate> {
  data: MailTemplates[T]['data'];
  secrets: MailTemplates[T]['secrets'];
  publicAppUrl: string;
  /** SHOP_NAME and SHOP_ADDRESS; the defaults when left out. */
  shop?: ShopIdentity;
}

type Renderer<T extends MailTemplate> = (input: MailRenderInput<T> & { shop: ShopIdentity }) => RenderedMail;

/** `${base}${path}?token=<token>`, the token URL-encoded (it may come from anywhere). */
function tokenLink(publicAppUrl: string, path: string, token: string): string {
  return `${publicAppUrl}${path}?token=${encodeURIComponent(token)}`;
}

/** A mail whose point is one link (verification, reset): the same shape in text and HTML. */
function linkMail(
  shop: ShopIdentity,
  options: {
    subject: string;
    name: string;
    url: string;
    /** The request, as the HTML says it (the button follows) and as the text says it (the link follows). */
    htmlIntro: string;
    textIntro: string;
    buttonLabel: string;
    /** Expiry and "if this was not you". */
    footnote: string;
  },
): RenderedMail {
  const { subject, name, url, htmlIntro, textIntro, buttonLabel, footnote } = options;
  return {
    subject,
    text: [greeting(name), '', textIntro, '', url, '', footnote, '', ...textFooter(shop)].join('\n'),
    html: layout(shop, subject, [
      escapeHtml(greeting(name)),
      escapeHtml(htmlIntro),
      button(url, buttonLabel),
      `If the button does not work, copy this link into your browser:<br>${escapeHtml(url)}`,
      escapeHtml(footnote),
    ]),
  };
}

const RENDERERS: { [T in MailTemplate]: Renderer<T> } = {
  ...ORDER_RENDERERS,

  'verify-email': ({ data, secrets, publicAppUrl, shop }) =>
    linkMail(shop, {
      subject: `Confirm your email address for ${shop.name}`,
      name: data.name,
      url: tokenLink(publicAppUrl, '/verify-email', secrets.token),
      htmlIntro: `Please confirm your email address for your ${shop.name} account.`,
      textIntro: `Please confirm your email address for your ${shop.name} account by opening this link:`,
      buttonLabel: 'Confirm email address',
      footnote: 'The link expires in 24 hours. If you did not create an account, you can ignore this email.',
    }),

  'reset-password': ({ data, secrets, publicAppUrl, shop }) =>
    linkMail(shop, {
      subject: `Reset your ${shop.name} password`,
      name: data.name,
      url: tokenLink(publicAppUrl, '/reset-password', secrets.token),
      htmlIntro: `We received a request to reset the password of your ${shop.name} account.`,
      textIntro: `We received a request to reset the password of your ${shop.name} account. To choose a new password, open this link:`,
      buttonLabel: 'Choose a new password',
      footnote:
        'The link expires in 1 hour. If you did not ask for a reset, you can ignore this email: your password stays unchanged.',
    }),

  'password-changed': ({ data, shop }) => {
    const subject = `Your ${shop.name} password was changed`;
    const notice = `The password of your ${shop.name} account was just changed.`;
    const warning =
      'If you made this change, no action is needed. If you did not, reset your password right away ' +
      'from the sign-in page and contact our support team.';
    return {
      subject,
      text: [greeting(data.name), '', notice, '', warning, '', ...textFooter(shop)].join('\n'),
      html: layout(shop, subject, [escapeHtml(greeting(data.name)), escapeHtml(notice), escapeHtml(warning)]),
    };
  },

  'payment-reminder': ({ data, shop }) => {
    const amount = formatMoney(data.amount, data.currency);
    const payBy = utcMinute(data.payBy);
    const subject = `Reminder: please pay ${amount} for order ${data.number}`;
    const notice =
      `We have not yet received your bank transfer for order ${data.number}. Please transfer ` +
      `${amount} by ${payBy}; after that the order is cancelled and its items are released.`;
    const reference = `Payment reference: ${data.number}`;
    const details = data.instructions
      ? 'Bank details:'
      : 'Please contact us for our bank details if you no longer have them.';
    const ignore = 'If you have paid already, thank you: you can ignore this email.';
    return {
      subject,
      text: [
        greeting(data.name),
        '',
        notice,
        '',
        `Amount: ${amount}`,
        reference,
        details,
        ...(data.instructions ? [data.instructions] : []),
        '',
        ignore,
        '',
        ...textFooter(shop),
      ].join('\n'),
      html: layout(shop, subject, [
        escapeHtml(greeting(data.name)),
        escapeHtml(notice),
        `Amount: <strong>${escapeHtml(amount)}</strong><br>Payment reference: <strong>${escapeHtml(data.number)}</strong>`,
        data.instructions ? `${details}<br>${escapeLines(data.instructions)}` : escapeHtml(details),
        ignore,
      ]),
    };
  },

  'webhook-disabled': ({ data, shop }) => {
    const subject = `Webhook endpoint disabled: ${data.url}`;
    const why =
      data.reason === 'gone'
        ? 'it answered 410 Gone, which asks us to stop sending'
        : data.reason === 'failing'
          ? 'every delivery to it has failed for days'
          : 'it was switched off';
    const notice = `The webhook endpoint ${data.url} (id ${data.endpointId}) was disabled because ${why}.`;
    const action =
      'Its events are no longer sent. Fix the receiver, then enable the endpoint again (PATCH /v1/admin/webhooks/{id} with enabled: true) and replay the failed deliveries.';
    return {
      subject,
      text: ['Hello,', '', notice, '', action, '', ...textFooter(shop)].join('\n'),
      html: layout(shop, subject, ['Hello,', escapeHtml(notice), escapeHtml(action)]),
    };
  },

  'low-stock': ({ data, shop }) => {
    const subject = `Low stock: ${data.sku} has ${data.available} left`;
    const notice =
      `${data.title} (SKU ${data.sku}) has ${data.available} available across all locations, ` +
      `below its low-stock threshold of ${data.threshold}.`;
    const action = 'Reorder or transfer stock before it sells out.';
    return {
      subject,
      text: ['Hello,', '', notice, '', action, '', ...textFooter(shop)].join('\n'),
      html: layout(shop, subject, ['Hello,', escapeHtml(notice), action]),
    };
  },
};

/** The secrets each template needs; the worker opens exactly these from the payload. */
export const MAIL_TEMPLATE_SECRETS: {
  [T in MailTemplate]: ReadonlyArray<keyof MailTemplates[T]['secrets']>;
} = {
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
};

export function isMailTemplate(name: unknown): name is MailTemplate {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(RENDERERS, name);
}

export function renderMail<T extends MailTemplate>(template: T, input: MailRenderInput<T>): RenderedMail {
  return (RENDERERS[template] as Renderer<T>)({ ...input, shop: input.shop ?? DEFAULT_SHOP });
}
