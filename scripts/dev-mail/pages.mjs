// The dev mail inbox's HTML pages: the message list and one message (token-pages.mjs has the two
// pages its links open). No scripts anywhere; a
// mail's own HTML is sanitized (sanitize-html) and then shown in a sandboxed iframe on top of it, so
// a hostile mail can neither run code nor reach the inbox page.
import sanitizeHtml from 'sanitize-html';

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value) => String(value ?? '').replace(/[&<>"']/g, (char) => ESCAPES[char]);

const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;
/** URLs in plain text, without the punctuation that usually ends a sentence after them. */
export const urlsIn = (text) =>
  (text?.match(URL_PATTERN) ?? []).map((url) => url.replace(/[.,;:!?)\]]+$/, ''));

/**
 * The mail's HTML with only harmless tags and attributes left, links opening in a new tab, and the
 * http(s) links it holds. Inline styles stay (mails are styled that way); scripts, forms, iframes,
 * event handlers and javascript: URLs go.
 */
export function sanitizeMail(html) {
  const links = [];
  const safe = sanitizeHtml(html ?? '', {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center'],
    allowedAttributes: {
      '*': ['style', 'align', 'width', 'height', 'bgcolor', 'color', 'border', 'cellpadding', 'cellspacing'],
      a: ['href', 'title', 'target', 'rel'],
      img: ['src', 'alt', 'title'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    // Dropped with their text: a full HTML document's <title> would otherwise show up as body text.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head'],
    transformTags: {
      a: (tagName, attribs) => {
        if (/^https?:/i.test(attribs.href ?? '')) links.push(attribs.href);
        return { tagName, attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer' } };
      },
    },
  });
  return { html: safe, links };
}

const time = (iso) => iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

export function layout(title, body, { refresh = false } = {}) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refresh ? '<meta http-equiv="refresh" content="5">' : ''}
<title>${escapeHtml(title)}</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1rem 1.5rem; color: #1f2328; }
  h1 { font-size: 1.3rem; } a { color: #0550ae; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
  th { font-size: .8rem; text-transform: uppercase; color: #59636e; }
  .muted { color: #59636e; font-size: .85rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
  dt { color: #59636e; } dd { margin: 0; word-break: break-all; }
  pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: .8rem; border-radius: 6px; }
  iframe { width: 100%; height: 28rem; border: 1px solid #d0d7de; border-radius: 6px; background: #fff; }
  li { word-break: break-all; }
  .problem { border-left: 4px solid #cf222e; padding: .1rem .8rem; background: #ffebe9; }
  .done { border-left: 4px solid #1a7f37; padding: .5rem .8rem; background: #dafbe1; }
  input { font: inherit; padding: .3rem; width: 20rem; max-width: 100%; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** The list, newest first. */
export function renderIndex(messages, { limit }) {
  const rows = messages
    .map(
      (message) => `<tr>
  <td class="muted">${escapeHtml(time(message.receivedAt))}</td>
  <td>${escapeHtml(message.to.join(', '))}</td>
  <td><a href="/messages/${encodeURIComponent(message.id)}">${escapeHtml(message.subject || '(no subject)')}</a></td>
  <td class="muted">${escapeHtml(message.from)}</td>
</tr>`,
    )
    .join('\n');
  const body = `<h1>Storekeep dev mail inbox</h1>
<p class="muted">Mail sent to this machine's SMTP catcher, kept in memory (the last ${limit}); nothing is delivered.
This page refreshes every 5 seconds. JSON: <a href="/api/messages">/api/messages</a>.</p>
${
  messages.length === 0
    ? '<p>No mail yet. Register an account (POST /v1/auth/register) and its verification mail shows up here.</p>'
    : `<table>
<thead><tr><th>Received</th><th>To</th><th>Subject</th><th>From</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
}`;
  return layout(`Dev inbox (${messages.length})`, body, { refresh: true });
}

/** URLs in the escaped text turned into links (the text is escaped first, so nothing else becomes HTML). */
const linkify = (text) =>
  escapeHtml(text).replace(
    /https?:\/\/[^\s<>"']+?(?=[.,;:!?)\]]*(?:\s|$))/g,
    (url) => `<a href="${url}" target="_blank" rel="noopener noreferrer">${url}</a>`,
  );

const shellQuote = (value) => `'${value.replace(/'/g, `'\\''`)}'`;
/** The API call each token link of Storekeep's own mails stands for (its storefront page makes it). */
const TOKEN_ROUTES = {
  '/verify-email': { route: '/v1/auth/email/verify', body: (token) => ({ token }) },
  '/reset-password': {
    route: '/v1/auth/password/reset',
    body: (token) => ({ token, newPassword: 'choose a new passphrase' }),
  },
};
const LOCAL_NAME = /^(localhost|127\.0\.0\.1|\[::1\])$/i;

/**
 * A hint for each /verify-email or /reset-password link: one that points at this inbox (as `npm
 * start` sets PUBLIC_APP_URL) opens its page here; one that points elsewhere (a PUBLIC_APP_URL of
 * your own, a mail from before) can be opened here too, or its step made with curl against the API.
 */
export function tokenLinkHints(links, { apiUrl, inboxPort }) {
  return links.flatMap((link) => {
    const url = URL.canParse(link) ? new URL(link) : null;
    const target = url && TOKEN_ROUTES[url.pathname];
    const token = url?.searchParams.get('token');
    if (!target || !token) return [];
    if (LOCAL_NAME.test(url.hostname) && Number(url.port || 80) === inboxPort)
      return [{ here: true, route: target.route }];
    const body = JSON.stringify(target.body(token));
    return [
      {
        here: false,
        route: target.route,
        local: `${url.pathname}?token=${encodeURIComponent(token)}`,
        curl: apiUrl
          ? `curl -X POST ${apiUrl}${target.route} -H 'content-type: application/json' -d ${shellQuote(body)}`
          : null,
      },
    ];
  });
}

const renderHint = (hint) =>
  hint.here
    ? `<p class="muted">The link opens this inbox's page for it, which sends the token to the API (POST ${escapeHtml(hint.route)}).</p>`
    : `<p class="muted">That link points away from this inbox: <a href="${escapeHtml(hint.local)}">open it here</a> instead (the page sends the token to the API)${
        hint.curl ? `, or make the same call with curl:</p>\n<pre>${escapeHtml(hint.curl)}</pre>` : '.</p>'
      }`;

/** One message: headers, its links, the HTML part (sanitized, sandboxed) and the text part. */
export function renderMessage(message, { apiUrl, inboxPort } = {}) {
  const { html, links } = sanitizeMail(message.html);
  const allLinks = [...new Set([...links, ...urlsIn(message.text)])];
  const document = `<!DOCTYPE html><html><head><meta charset="utf-8"><base target="_blank"></head><body>${html}</body></html>`;
  const body = `<p><a href="/">&larr; All messages</a></p>
<h1>${escapeHtml(message.subject || '(no subject)')}</h1>
<dl>
  <dt>From</dt><dd>${escapeHtml(message.from)}</dd>
  <dt>To</dt><dd>${escapeHtml(message.to.join(', '))}</dd>
  <dt>Received</dt><dd>${escapeHtml(time(message.receivedAt))}</dd>
  <dt>Size</dt><dd>${message.size} bytes${
    message.attachments.length > 0
      ? `, attachments: ${escapeHtml(message.attachments.map((a) => `${a.filename ?? 'unnamed'} (${a.size} bytes)`).join(', '))}`
      : ''
  }</dd>
</dl>
${
  allLinks.length > 0
    ? `<h2>Links</h2>\n<ul>\n${allLinks
        .map(
          (url) =>
            `<li><a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(url)}</a></li>`,
        )
        .join('\n')}\n</ul>`
    : ''
}
${tokenLinkHints(allLinks, { apiUrl, inboxPort }).map(renderHint).join('\n')}
${
  message.html
    ? `<h2>HTML</h2>
<iframe title="HTML part" sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" srcdoc="${escapeHtml(document)}"></iframe>`
    : ''
}
${message.text ? `<h2>Text</h2>\n<pre>${linkify(message.text)}</pre>` : ''}
<p class="muted">JSON: <a href="/api/messages/${encodeURIComponent(message.id)}">/api/messages/${escapeHtml(message.id)}</a></p>`;
  return layout(message.subject || '(no subject)', body);
}
