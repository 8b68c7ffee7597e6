/** The pieces every mail is built from: escaping, the greeting, the one HTML layout, money and dates. */

/** Who signs the mail and where it is: SHOP_NAME and SHOP_ADDRESS (address lines split on `\n`). */
export interface ShopIdentity {
  name: string;
  address: string;
}

export const DEFAULT_SHOP: ShopIdentity = { name: 'Storekeep', address: '' };

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

/** Escaped, with its line breaks kept as `<br>`. */
export const escapeLines = (value: string): string => escapeHtml(value).replace(/\r?\n/g, '<br>');

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

export const greeting = (name: string): string => {
  const safe = greetingName(name);
  return safe ? `Hello ${safe},` : 'Hello,';
};

export const signature = (shop: ShopIdentity): string => `— The ${shop.name} team`;

/** The text part's foot: the signature, then the shop's address when it has one. */
export const textFooter = (shop: ShopIdentity): string[] =>
  shop.address ? [signature(shop), '', shop.address] : [signature(shop)];

/** One HTML layout for every mail; `paragraphs` are already escaped HTML fragments. */
export function layout(shop: ShopIdentity, title: string, paragraphs: string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family: Arial, Helvetica, sans-serif; line-height: 1.5; color: #222;">',
    ...paragraphs.map((paragraph) => `<p>${paragraph}</p>`),
    `<p>${escapeHtml(signature(shop))}</p>`,
    ...(shop.address ? [`<p style="color: #666; font-size: 12px;">${escapeLines(shop.address)}</p>`] : []),
    '</body>',
    '</html>',
  ].join('\n');
}

export const button = (url: string, label: string): string =>
  `<a href="${escapeHtml(url)}" style="display: inline-block; padding: 10px 18px; background: #1a56db; ` +
  `color: #fff; text-decoration: none; border-radius: 4px;">${escapeHtml(label)}</a>`;

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
export const utcMinute = (iso: string): string =>
  `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
