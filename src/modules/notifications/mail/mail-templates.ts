import { MailTemplate, MailTemplates } from './mail.jobs';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** What a renderer gets: the template's data, its opened secrets and the storefront's base URL. */
export interface MailRenderInput<T extends MailTemplate> {
  data: MailTemplates[T]['data'];
  secrets: MailTemplates[T]['secrets'];
  publicAppUrl: string;
}

type Renderer<T extends MailTemplate> = (input: MailRenderInput<T>) => RenderedMail;

const STORE_NAME = 'Storekeep';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/** `${base}${path}?token=<token>`, the token URL-encoded (it may come from anywhere). */
function tokenLink(publicAppUrl: string, path: string, token: string): string {
  return `${publicAppUrl}${path}?token=${encodeURIComponent(token)}`;
}

/** Longest name a greeting repeats; longer ones are cut (with an ellipsis). */
const GREETING_NAME_MAX = 60;
/**
 * Names are chosen by whoever registered, and a verification mail goes to an address its requester
 * may not own: the greeting repeats only a short, single-line name with nothing link-like in it,
 * so the shop's mail cannot carry someone else's message or URL.
 */
export function greetingName(name: string): string {
  const flat = name.replace(/[\p{C}\s]+/gu, ' ').trim();
  if (/[:/@]|www\.|\.[a-z]{2,}\b/i.test(flat)) return '';
  return flat.length > GREETING_NAME_MAX ? `${flat.slice(0, GREETING_NAME_MAX - 1)}…` : flat;
}
const greeting = (name: string): string => {
  const safe = greetingName(name);
  return safe ? `Hello ${safe},` : 'Hello,';
};

/** One HTML layout for every mail; `paragraphs` are already escaped HTML fragments. */
const signature = `— The ${STORE_NAME} team`;

function layout(title: string, paragraphs: string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family: Arial, Helvetica, sans-serif; line-height: 1.5; color: #222;">',
    ...paragraphs.map((paragraph) => `<p>${paragraph}</p>`),
    `<p>${signature}</p>`,
    '</body>',
    '</html>',
  ].join('\n');
}

const button = (url: string, label: string): string =>
  `<a href="${escapeHtml(url)}" style="display: inline-block; padding: 10px 18px; background: #1a56db; ` +
  `color: #fff; text-decoration: none; border-radius: 4px;">${escapeHtml(label)}</a>`;

/** A mail whose point is one link (verification, reset): the same shape in text and HTML. */
function linkMail(options: {
  subject: string;
  name: string;
  url: string;
  /** The request, as the HTML says it (the button follows) and as the text says it (the link follows). */
  htmlIntro: string;
  textIntro: string;
  buttonLabel: string;
  /** Expiry and "if this was not you". */
  footnote: string;
}): RenderedMail {
  const { subject, name, url, htmlIntro, textIntro, buttonLabel, footnote } = options;
  return {
    subject,
    text: [greeting(name), '', textIntro, '', url, '', footnote, '', signature].join('\n'),
    html: layout(subject, [
      escapeHtml(greeting(name)),
      htmlIntro,
      button(url, buttonLabel),
      `If the button does not work, copy this link into your browser:<br>${escapeHtml(url)}`,
      footnote,
    ]),
  };
}

/**
 * An amount in minor units as people read it (`EUR 1,234.50`), from integer digits only: the
 * currency's minor-unit exponent comes from Intl, the split is done on the digits.
 */
export function formatMoney(amount: number, currency: string): string {
  let exponent = 2;
  try {
    exponent = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits!;
  } catch {
    // An unknown code keeps two decimals; the code is printed as it is.
  }
  const digits = String(Math.abs(Math.trunc(amount))).padStart(exponent + 1, '0');
  const major = digits.slice(0, digits.length - exponent).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const minor = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : '';
  return `${currency} ${amount < 0 ? '-' : ''}${major}${minor}`;
}

/** `2026-12-14 09:30 UTC`: unambiguous wherever the customer is. */
const utcMinute = (iso: string): string =>
  `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const RENDERERS: { [T in MailTemplate]: Renderer<T> } = {
  'verify-email': ({ data, secrets, publicAppUrl }) =>
    linkMail({
      subject: `Confirm your email address for ${STORE_NAME}`,
      name: data.name,
      url: tokenLink(publicAppUrl, '/verify-email', secrets.token),
      htmlIntro: `Please confirm your email address for your ${STORE_NAME} account.`,
      textIntro: `Please confirm your email address for your ${STORE_NAME} account by opening this link:`,
      buttonLabel: 'Confirm email address',
      footnote: 'The link expires in 24 hours. If you did not create an account, you can ignore this email.',
    }),

  'reset-password': ({ data, secrets, publicAppUrl }) =>
    linkMail({
      subject: `Reset your ${STORE_NAME} password`,
      name: data.name,
      url: tokenLink(publicAppUrl, '/reset-password', secrets.token),
      htmlIntro: `We received a request to reset the password of your ${STORE_NAME} account.`,
      textIntro: `We received a request to reset the password of your ${STORE_NAME} account. To choose a new password, open this link:`,
      buttonLabel: 'Choose a new password',
      footnote:
        'The link expires in 1 hour. If you did not ask for a reset, you can ignore this email: your password stays unchanged.',
    }),

  'password-changed': ({ data }) => {
    const subject = `Your ${STORE_NAME} password was changed`;
    const notice = `The password of your ${STORE_NAME} account was just changed.`;
    const warning =
      'If you made this change, no action is needed. If you did not, reset your password right away ' +
      'from the sign-in page and contact our support team.';
    return {
      subject,
      text: [greeting(data.name), '', notice, '', warning, '', signature].join('\n'),
      html: layout(subject, [escapeHtml(greeting(data.name)), notice, warning]),
    };
  },

  'payment-reminder': ({ data }) => {
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
        signature,
      ].join('\n'),
      html: layout(subject, [
        escapeHtml(greeting(data.name)),
        escapeHtml(notice),
        `Amount: <strong>${escapeHtml(amount)}</strong><br>Payment reference: <strong>${escapeHtml(data.number)}</strong>`,
        data.instructions
          ? `${details}<br>${escapeHtml(data.instructions).replace(/\r?\n/g, '<br>')}`
          : escapeHtml(details),
        ignore,
      ]),
    };
  },

  'low-stock': ({ data }) => {
    const subject = `Low stock: ${data.sku} has ${data.available} left`;
    const notice =
      `${data.title} (SKU ${data.sku}) has ${data.available} available across all locations, ` +
      `below its low-stock threshold of ${data.threshold}.`;
    const action = 'Reorder or transfer stock before it sells out.';
    return {
      subject,
      text: ['Hello,', '', notice, '', action, '', signature].join('\n'),
      html: layout(subject, ['Hello,', escapeHtml(notice), action]),
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
};

export function isMailTemplate(name: unknown): name is MailTemplate {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(RENDERERS, name);
}

export function renderMail<T extends MailTemplate>(template: T, input: MailRenderInput<T>): RenderedMail {
  return (RENDERERS[template] as Renderer<T>)(input);
}
