// A development mail inbox: an SMTP catcher that keeps the last messages in memory, and a small web
// inbox (pages plus a JSON API) to read them, so verification and reset links can be followed on a
// machine without a mail server: it also serves the two pages those links open (token-pages.mjs). `npm start` runs it outside production (scripts/start.mjs);
// `node scripts/dev-mail/serve.mjs` runs it alone. Both servers listen on 127.0.0.1 only.
//
// Built on smtp-server and mailparser (already dev dependencies, as the tests' SmtpReceiver uses them)
// rather than a packaged catcher: the maintained one on npm (maildev 3) brings jsdom, socket.io, React
// and a second nodemailer for what is a few hundred lines here.
import { createServer } from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { renderIndex, renderMessage, sanitizeMail, urlsIn } from './pages.mjs';
import { handleTokenPage, TOKEN_PAGES } from './token-pages.mjs';

export const INBOX_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  smtpPort: 1025,
  webPort: 8025,
  /** Messages kept; the oldest go first. */
  limit: 500,
  /** Larger messages are refused (552), so 500 of them stay a bounded amount of memory. */
  maxMessageBytes: 10 * 1024 * 1024,
  /**
   * The API's base URL, as this machine reaches it: the /verify-email and /reset-password pages post
   * their token there, and a message whose link points elsewhere shows the same call as a curl.
   */
  apiUrl: undefined,
});

/** Newest first, at most `limit`. */
class MessageStore {
  #messages = [];
  #nextId = 1;

  constructor(limit) {
    this.limit = limit;
  }

  add(message) {
    const stored = { id: String(this.#nextId++), ...message };
    this.#messages.unshift(stored);
    this.#messages.length = Math.min(this.#messages.length, this.limit);
    return stored;
  }

  list() {
    return this.#messages;
  }

  get(id) {
    return this.#messages.find((message) => message.id === id);
  }

  clear() {
    this.#messages = [];
  }
}

const addresses = (field) =>
  (Array.isArray(field) ? field : field ? [field] : [])
    .flatMap((group) => group.value)
    .map((entry) => entry.address)
    .filter(Boolean);

/** What the inbox keeps of a parsed mail (attachments are listed, their content is dropped). */
function toRecord(parsed, session, size) {
  const envelopeTo = session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase());
  return {
    receivedAt: new Date().toISOString(),
    from: parsed.from?.text ?? (session.envelope.mailFrom ? session.envelope.mailFrom.address : ''),
    to: envelopeTo.length > 0 ? envelopeTo : addresses(parsed.to),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    size,
    attachments: (parsed.attachments ?? []).map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      size: attachment.size,
    })),
  };
}

const summary = ({ id, receivedAt, from, to, subject, size }) => ({
  id,
  receivedAt,
  from,
  to,
  subject,
  size,
});

const SECURITY_HEADERS = {
  // No script runs on these pages; a mail's HTML sits in a sandboxed srcdoc iframe, which inherits this.
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data: http: https:; frame-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
/**
 * The token pages post their form to themselves; and their referrer policy lets the browser send the
 * Origin header that the same-origin check reads (under no-referrer it sends `Origin: null`).
 */
const TOKEN_PAGE_HEADERS = {
  ...SECURITY_HEADERS,
  'content-security-policy': SECURITY_HEADERS['content-security-policy'].replace(
    "form-action 'none'",
    "form-action 'self'",
  ),
  'referrer-policy': 'same-origin',
};

/** Only names of this machine: another site's DNS name rebound to 127.0.0.1 must not read the mail. */
const LOCAL_HOST_HEADER = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

function send(response, status, type, body, headers = SECURITY_HEADERS) {
  response.writeHead(status, { ...headers, 'content-type': type });
  response.end(body);
}
const sendJson = (response, status, value) =>
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));

function handle(store, apiUrl, request, response) {
  if (!LOCAL_HOST_HEADER.test(request.headers.host ?? '')) {
    return send(response, 403, 'text/plain; charset=utf-8', 'The dev inbox answers only to localhost.\n');
  }
  const { pathname, searchParams } = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  const messageId = /^\/(?:api\/)?messages\/([^/]+)$/.exec(pathname)?.[1];
  const message = messageId ? store.get(decodeURIComponent(messageId)) : undefined;
  const tokenPage = Object.hasOwn(TOKEN_PAGES, pathname) ? TOKEN_PAGES[pathname] : undefined;

  if (tokenPage) {
    return handleTokenPage({
      page: tokenPage,
      apiUrl,
      request,
      token: searchParams.get('token'),
      send: (status, html) => send(response, status, 'text/html; charset=utf-8', html, TOKEN_PAGE_HEADERS),
    }).catch(() => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'Internal error\n');
      else response.destroy();
    });
  }

  if (pathname === '/api/messages' && method === 'DELETE') {
    store.clear();
    response.writeHead(204, SECURITY_HEADERS);
    return response.end();
  }
  if (method !== 'GET' && method !== 'HEAD') {
    return send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
  }
  if (pathname === '/') {
    return send(response, 200, 'text/html; charset=utf-8', renderIndex(store.list(), { limit: store.limit }));
  }
  if (pathname === '/api/messages') {
    const to = searchParams.get('to')?.toLowerCase();
    const messages = to ? store.list().filter((entry) => entry.to.includes(to)) : store.list();
    return sendJson(response, 200, { data: messages.map(summary) });
  }
  if (messageId && message && pathname.startsWith('/api/')) {
    const { html, links } = sanitizeMail(message.html);
    return sendJson(response, 200, {
      ...summary(message),
      text: message.text,
      html,
      links: [...new Set([...links, ...urlsIn(message.text)])],
      attachments: message.attachments,
    });
  }
  if (messageId && message) {
    return send(
      response,
      200,
      'text/html; charset=utf-8',
      renderMessage(message, { apiUrl, inboxPort: request.socket.localPort }),
    );
  }
  if (pathname.startsWith('/api/')) return sendJson(response, 404, { error: 'not found' });
  return send(
    response,
    404,
    'text/html; charset=utf-8',
    '<!DOCTYPE html><p>Not found. <a href="/">Inbox</a></p>',
  );
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    const failed = (error) => reject(error);
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

/**
 * Starts the SMTP catcher and the web inbox. Rejects with an EADDRINUSE error (its `port` says which)
 * when the SMTP port is taken, e.g. by a Mailpit already running; when only the web port is taken the
 * web inbox takes a free port instead (`webPortFallback` is then true).
 */
export async function startMailInbox(options = {}) {
  const { host, smtpPort, webPort, limit, maxMessageBytes, apiUrl } = { ...INBOX_DEFAULTS, ...options };
  const store = new MessageStore(limit);

  const smtp = new SMTPServer({
    secure: false,
    banner: 'Storekeep dev mail inbox',
    disabledCommands: ['STARTTLS'],
    // Any user name and password are accepted (and none is needed), so any SMTP_USER setting works.
    authOptional: true,
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
    size: maxMessageBytes,
    rejectOversized: true,
    logger: false,
    // Pooled clients (the worker's nodemailer pool) keep connections open: close without waiting for them.
    closeTimeout: 500,
    onData: (stream, session, callback) => {
      simpleParser(stream)
        .then((parsed) => {
          if (!stream.sizeExceeded) store.add(toRecord(parsed, session, stream.byteLength ?? 0));
          callback();
        })
        .catch((error) => callback(error));
    },
  });
  // Errors of one client connection (a reset, a timeout) are that client's problem, not the inbox's.
  smtp.on('error', () => undefined);
  try {
    await listen(smtp.server, smtpPort, host);
  } catch (error) {
    throw Object.assign(error, { port: smtpPort });
  }

  const web = createServer((request, response) => void handle(store, apiUrl, request, response));
  let webPortFallback = false;
  try {
    await listen(web, webPort, host);
  } catch (error) {
    if (error.code !== 'EADDRINUSE') {
      await new Promise((resolve) => smtp.close(resolve));
      throw error;
    }
    webPortFallback = true;
    await listen(web, 0, host);
  }

  const boundSmtpPort = smtp.server.address().port;
  const boundWebPort = web.address().port;
  let closing;
  return {
    store,
    smtpPort: boundSmtpPort,
    webPort: boundWebPort,
    webPortFallback,
    url: `http://localhost:${boundWebPort}`,
    close() {
      closing ??= Promise.all([
        new Promise((resolve) => smtp.close(resolve)),
        new Promise((resolve) => {
          web.close(resolve);
          web.closeAllConnections();
        }),
      ]).then(() => undefined);
      return closing;
    },
  };
}
