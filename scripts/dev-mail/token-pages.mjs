// The storefront pages the links of Storekeep's own mails open, as the dev inbox serves them:
// `npm start` points PUBLIC_APP_URL at the inbox, so /verify-email?token=… and /reset-password?token=…
// land here. Each is a plain HTML form (no script) that posts back to the same URL; the inbox then
// makes the API call server-side and shows the API's answer. Neither the token nor a password is
// logged or written into a page: the form has no action, so the browser posts to the link itself.
/* global AbortSignal, URLSearchParams */
import { escapeHtml, layout } from './pages.mjs';

/** The API call behind each page, and what the page says. */
export const TOKEN_PAGES = {
  '/verify-email': {
    title: 'Verify your email address',
    route: '/v1/auth/email/verify',
    fields: [],
    button: 'Verify my address',
    done: 'Your email address is verified.',
    body: (token) => ({ token }),
  },
  '/reset-password': {
    title: 'Choose a new password',
    route: '/v1/auth/password/reset',
    fields: [
      { name: 'password', label: 'New password' },
      { name: 'confirm', label: 'The same again' },
    ],
    button: 'Set the new password',
    done: 'Your password is changed, and every session of the account has ended. Sign in with the new one.',
    body: (token, form) => ({ token, newPassword: form.get('password') ?? '' }),
  },
};

const notice = (title, detail = '') => ({ title, detail, messages: [] });
const noToken = notice('This link has no token.', 'Open the link from the mail as it is.');
const notAllowed = notice('Method not allowed.');
const crossSite = notice(
  'Refused: the form was not posted from this inbox.',
  'Open the link from the mail and use the form on its page.',
);
const noApi = notice('The inbox does not know where the API is.', 'Start it with npm start.');
const badForm = notice('The form could not be read.');
const mismatch = notice('The two passwords differ.', 'Type the same new password twice.');

/** A form post is small; anything larger is not one of these forms. */
const MAX_FORM_BYTES = 8 * 1024;
const API_TIMEOUT_MS = 10_000;

/**
 * Cross-site form posts are refused: the browser's Origin must be this inbox's own (its Host header,
 * already checked to be a localhost name), or, where a browser sends `Origin: null`, its
 * Sec-Fetch-Site must say same-origin. A post with neither comes from no browser page of ours.
 */
function sameOrigin(request) {
  const origin = request.headers.origin;
  if (origin && origin !== 'null')
    return origin.toLowerCase() === `http://${request.headers.host}`.toLowerCase();
  return request.headers['sec-fetch-site'] === 'same-origin';
}

function readForm(request) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(Object.assign(new Error('form too large'), { status: 413 }));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    request.on('error', reject);
  });
}

/** The problem+json an API error answered with: its title, detail and field messages. */
async function problemOf(response) {
  const problem = await response.json().catch(() => ({}));
  return {
    title: typeof problem.title === 'string' ? problem.title : `The API answered ${response.status}`,
    detail: typeof problem.detail === 'string' ? problem.detail : '',
    messages: Array.isArray(problem.errors) ? problem.errors.flatMap((error) => error.messages ?? []) : [],
  };
}

async function callApi(apiUrl, page, body) {
  try {
    const response = await fetch(`${apiUrl}${page.route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
    if (response.ok) return { status: 200 };
    return { status: response.status, problem: await problemOf(response) };
  } catch {
    return {
      status: 502,
      problem: {
        title: 'The API did not answer',
        detail: `No answer from ${apiUrl}. Is it running?`,
        messages: [],
      },
    };
  }
}

function render(page, { problem, done, form = !done } = {}) {
  const error = problem
    ? `<div class="problem"><p><strong>${escapeHtml(problem.title)}</strong>${
        problem.detail ? ` ${escapeHtml(problem.detail)}` : ''
      }</p>${
        problem.messages.length > 0
          ? `<ul>${problem.messages.map((message) => `<li>${escapeHtml(message)}</li>`).join('')}</ul>`
          : ''
      }</div>`
    : '';
  const inputs = page.fields
    .map(
      ({ name, label }) =>
        `<p><label>${escapeHtml(label)}<br><input type="password" name="${name}" autocomplete="new-password" required></label></p>`,
    )
    .join('\n');
  const body = `<p><a href="/">&larr; Dev mail inbox</a></p>
<h1>${escapeHtml(page.title)}</h1>
${done ? `<p class="done">${escapeHtml(page.done)}</p>` : ''}
${error}
${form ? `<form method="post">\n${inputs}\n<p><button type="submit">${escapeHtml(page.button)}</button></p>\n</form>` : ''}
<p class="muted">The storefront's page, as the dev inbox stands in for it: it sends the token to the API (POST ${escapeHtml(page.route)}).</p>`;
  return layout(page.title, body);
}

/**
 * GET shows the form, POST makes the API call and shows its answer. `send(status, html)` writes the
 * page; the status mirrors the API's (a used token is its 4xx, an API that is down a 502).
 */
export async function handleTokenPage({ page, apiUrl, request, token, send }) {
  const method = request.method ?? 'GET';
  if (!token) return send(400, render(page, { problem: noToken, form: false }));
  if (method === 'GET' || method === 'HEAD') return send(200, render(page));
  if (method !== 'POST') return send(405, render(page, { problem: notAllowed, form: false }));
  if (!sameOrigin(request)) return send(403, render(page, { problem: crossSite, form: false }));
  if (!apiUrl) return send(503, render(page, { problem: noApi, form: false }));
  let form;
  try {
    form = await readForm(request);
  } catch (error) {
    return send(error.status ?? 400, render(page, { problem: badForm, form: false }));
  }
  if (page.fields.length > 1 && form.get('password') !== form.get('confirm'))
    return send(400, render(page, { problem: mismatch }));
  const result = await callApi(apiUrl, page, page.body(token, form));
  if (result.status === 200) return send(200, render(page, { done: true }));
  // A password the policy refuses (400) can be tried again with the same link.
  return send(result.status, render(page, { problem: result.problem, form: result.status === 400 }));
}
