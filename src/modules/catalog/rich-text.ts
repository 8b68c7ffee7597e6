import sanitizeHtml from 'sanitize-html';

/**
 * The HTML a product description may keep. Everything else — scripts, event handlers, styles,
 * iframes, `javascript:` links — is removed on write, so stored XSS cannot reach a storefront that
 * renders the description as HTML.
 */
const DESCRIPTION_POLICY: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'b',
    'em',
    'i',
    'u',
    's',
    'ul',
    'ol',
    'li',
    'h2',
    'h3',
    'h4',
    'blockquote',
    'a',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'hr',
    'span',
    'code',
    'pre',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Links leave the shop in a new context and cannot reach back to the page that opened them.
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow' }) },
};

export function sanitizeDescription(html: string): string {
  return sanitizeHtml(html, DESCRIPTION_POLICY).trim();
}

/** The text full-text search indexes: the description without markup, then the attribute values. */
export function buildSearchText(descriptionHtml: string, attributes: Record<string, string>): string {
  // Block boundaries become spaces first: `<li>cotton</li><li>linen</li>` is two words, not one.
  const spaced = descriptionHtml.replace(
    /<\/?(p|br|li|ul|ol|h[1-6]|div|tr|td|th|blockquote|pre|hr)\b[^>]*>/gi,
    ' $& ',
  );
  const text = sanitizeHtml(spaced, { allowedTags: [], allowedAttributes: {} })
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
  return [text, ...Object.values(attributes)].filter(Boolean).join(' ');
}
