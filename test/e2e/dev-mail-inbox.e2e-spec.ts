import { request } from '@app/testing';
import { ChildProcess, spawn } from 'node:child_process';
import { createServer as createHttpServer, IncomingMessage, request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { freePort, portIsFree } from '../support/process-tree';
import { waitFor } from '../support/wait-for';

/** The dev mail inbox `npm start` runs (scripts/dev-mail), run alone: SMTP in, pages and JSON out. */
const ROOT = join(__dirname, '../..');

interface Inbox {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  smtpPort: number;
  webPort: number;
  url: string;
}

async function startInbox(env: Record<string, string> = {}): Promise<Inbox> {
  const smtpPort = Number(env.SMTP_PORT ?? (await freePort()));
  const webPort = Number(env.MAIL_INBOX_PORT ?? (await freePort()));
  const child = spawn(process.execPath, ['scripts/dev-mail/serve.mjs'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      SMTP_PORT: String(smtpPort),
      MAIL_INBOX_PORT: String(webPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(
    () => Promise.resolve(gone || output.includes('dev inbox http')),
    15_000,
    'the inbox to listen',
  );
  const url = /dev inbox (http:\/\/localhost:\d+)/.exec(output)?.[1] ?? '';
  return {
    child,
    output: () => output,
    exited,
    smtpPort,
    webPort,
    url: url.replace('localhost', '127.0.0.1'),
  };
}

async function mail(inbox: Inbox, message: { to: string; subject: string; text?: string; html?: string }) {
  const transport = createTransport({ host: '127.0.0.1', port: inbox.smtpPort, secure: false });
  try {
    await transport.sendMail({ from: 'Shop <shop@storekeep.test>', ...message });
  } finally {
    transport.close();
  }
}

type Summary = { id: string; subject: string; to: string[]; from: string; receivedAt: string };

/** Stands in for the API the token pages post to: records each call, answers with `next` (or 204). */
interface FakeApi {
  port: number;
  calls: { path: string; body: unknown }[];
  next: { status: number; body?: unknown } | null;
  close: () => Promise<void>;
}

async function startFakeApi(): Promise<FakeApi> {
  const api: FakeApi = { port: 0, calls: [], next: null, close: () => Promise.resolve() };
  const read = async (message: IncomingMessage) => {
    let text = '';
    for await (const chunk of message) text += String(chunk);
    return text;
  };
  const server = createHttpServer((req, res) => {
    void read(req).then((text) => {
      api.calls.push({ path: req.url ?? '', body: JSON.parse(text) as unknown });
      const answer = api.next ?? { status: 204 };
      api.next = null;
      res.writeHead(answer.status, { 'content-type': 'application/problem+json' });
      res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.port = (server.address() as AddressInfo).port;
  api.close = () => new Promise((resolve) => server.close(() => resolve()));
  return api;
}

/** Posts a token page's form as a browser would: to the page's own URL, urlencoded, with its Origin. */
const postForm = (pageUrl: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  request(pageUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: new URL(pageUrl).origin,
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  });

describe('dev mail inbox (scripts/dev-mail)', () => {
  let inbox: Inbox;
  let api: FakeApi;

  beforeAll(async () => {
    api = await startFakeApi();
    inbox = await startInbox({ MAIL_INBOX_LIMIT: '2', PORT: String(api.port) });
  });
  afterAll(async () => {
    if (inbox.child.exitCode === null) inbox.child.kill('SIGKILL');
    await inbox.exited;
    await api.close();
  });

  it('lists the last messages newest first (subject, to, from, time), bounded, and filters by recipient', async () => {
    for (const n of [1, 2, 3])
      await mail(inbox, { to: `Reader${n}@Example.test`, subject: `Mail ${n}`, text: 'Hi' });
    const list = await request<{ data: Summary[] }>(`${inbox.url}/api/messages`);
    expect(list.body.data.map((entry) => entry.subject)).toEqual(['Mail 3', 'Mail 2']);
    expect(list.body.data[0]).toEqual(
      expect.objectContaining({
        to: ['reader3@example.test'],
        from: '"Shop" <shop@storekeep.test>',
        receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    );
    const filtered = await request<{ data: Summary[] }>(`${inbox.url}/api/messages?to=READER2@example.test`);
    expect(filtered.body.data.map((entry) => entry.subject)).toEqual(['Mail 2']);

    const page = await request(`${inbox.url}/`);
    expect(page.status).toBe(200);
    expect(page.text.indexOf('Mail 3')).toBeLessThan(page.text.indexOf('Mail 2'));
    expect(page.text).not.toContain('Mail 1');
  });

  it('shows a hostile mail with its scripts, handlers and javascript: links removed, in a sandboxed frame under a no-script CSP', async () => {
    await mail(inbox, {
      to: 'victim@example.test',
      subject: 'Click <b>here</b>',
      text: 'Go to https://shop.test/reset-password?token=abc. Thanks',
      html:
        '<p onclick="steal()">Hi<script>alert(1)</script></p><iframe src="https://evil.test"></iframe>' +
        '<a href="javascript:alert(1)">bad</a><a href="https://shop.test/reset-password?token=abc">Reset</a>',
    });
    const [summary] = (await request<{ data: Summary[] }>(`${inbox.url}/api/messages?to=victim@example.test`))
      .body.data;
    const json = await request<{ html: string; links: string[] }>(`${inbox.url}/api/messages/${summary.id}`);
    expect(json.body.links).toEqual(['https://shop.test/reset-password?token=abc']);
    for (const bad of ['<script', 'onclick', 'javascript:', '<iframe'])
      expect(json.body.html).not.toContain(bad);

    const page = await request(`${inbox.url}/messages/${summary.id}`);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(page.headers.get('content-security-policy')).not.toMatch(/script-src/);
    expect(page.text).toContain('<h1>Click &lt;b&gt;here&lt;/b&gt;</h1>');
    expect(page.text).toContain(
      '<iframe title="HTML part" sandbox="allow-popups allow-popups-to-escape-sandbox"',
    );
    expect(page.text).not.toMatch(/<script|onclick=|href="javascript/i);
    expect(page.text).toContain('href="https://shop.test/reset-password?token=abc"');
    // The link points away from the inbox: it can be opened here instead, or made with curl.
    expect(page.text).toContain('<a href="/reset-password?token=abc">open it here</a>');
    expect(page.text).toContain(
      `curl -X POST http://127.0.0.1:${api.port}/v1/auth/password/reset -H &#39;content-type: application/json&#39; ` +
        '-d &#39;{&quot;token&quot;:&quot;abc&quot;,&quot;newPassword&quot;:',
    );
  });

  it('serves the verification page a mail link opens: a form posted only from the inbox itself, then the API call and its answer', async () => {
    const token = 'tok-<verify>&1';
    const pageUrl = `${inbox.url}/verify-email?token=${encodeURIComponent(token)}`;
    const page = await request(pageUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'.*form-action 'self'/);
    expect(page.headers.get('content-security-policy')).not.toMatch(/script-src/);
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
    // No action: the browser posts to the link itself, so the token is never written into the page.
    expect(page.text).toMatch(/<form method="post">/);
    expect(page.text).not.toMatch(/<script|action=/i);
    expect(page.text).not.toContain('tok-');

    // Cross-site posts are refused before the API is called.
    const refused = [
      await postForm(pageUrl, {}, { origin: 'https://evil.test' }),
      await postForm(pageUrl, {}, { origin: 'null', 'sec-fetch-site': 'cross-site' }),
      await request(pageUrl, { method: 'POST', body: '' }),
    ];
    expect(refused.map((response) => response.status)).toEqual([403, 403, 403]);
    expect(api.calls).toEqual([]);

    const verified = await postForm(pageUrl, {});
    expect(verified.status).toBe(200);
    expect(verified.text).toContain('Your email address is verified.');
    expect(api.calls).toEqual([{ path: '/v1/auth/email/verify', body: { token } }]);
    // A browser that sends Origin: null on a same-origin post says so in Sec-Fetch-Site.
    expect((await postForm(pageUrl, {}, { origin: 'null', 'sec-fetch-site': 'same-origin' })).status).toBe(
      200,
    );

    api.next = {
      status: 422,
      body: { title: 'Invalid <token>', detail: 'This verification link is invalid, used or expired.' },
    };
    const used = await postForm(pageUrl, {});
    expect(used.status).toBe(422);
    expect(used.text).toContain('Invalid &lt;token&gt;');
    expect(used.text).toContain('This verification link is invalid, used or expired.');
    expect(used.text).not.toContain('tok-');

    expect((await request(`${inbox.url}/verify-email`)).status).toBe(400);
  });

  it('serves the reset page: the new password twice, the API policy errors shown, the password never echoed', async () => {
    const pageUrl = `${inbox.url}/reset-password?token=reset-tok`;
    const page = await request(pageUrl);
    expect(page.text.match(/<input type="password"/g)).toHaveLength(2);

    const calls = api.calls.length;
    const mismatch = await postForm(pageUrl, { password: 'first secret one', confirm: 'second secret' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('The two passwords differ.');
    expect(api.calls).toHaveLength(calls);

    api.next = {
      status: 400,
      body: {
        title: 'Bad Request',
        detail: 'The request is invalid',
        errors: [{ field: 'newPassword', messages: ['newPassword is one of the most common passwords'] }],
      },
    };
    const weak = await postForm(pageUrl, { password: 'password123', confirm: 'password123' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('newPassword is one of the most common passwords');
    expect(weak.text).toMatch(/<form method="post">/); // the same link can be tried again
    expect(weak.text).not.toContain('password123');
    expect(api.calls.at(-1)).toEqual({
      path: '/v1/auth/password/reset',
      body: { token: 'reset-tok', newPassword: 'password123' },
    });

    const reset = await postForm(pageUrl, {
      password: 'a much better one 7',
      confirm: 'a much better one 7',
    });
    expect(reset.status).toBe(200);
    expect(reset.text).toContain('Your password is changed');
    expect(reset.text).not.toContain('a much better one 7');
    expect(reset.text).not.toMatch(/<form/);
  });

  it('says so when the API does not answer, with a 502 rather than a crash', async () => {
    const apiless = await startInbox({ PORT: String(await freePort()) });
    try {
      const pageUrl = `${apiless.url}/verify-email?token=abc`;
      const response = await postForm(pageUrl, {});
      expect(response.status).toBe(502);
      expect(response.text).toContain('The API did not answer');
    } finally {
      apiless.child.kill('SIGTERM');
      await apiless.exited;
    }
  });

  it('answers only requests addressed to localhost (no DNS rebinding), and 404 for unknown messages', async () => {
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port: inbox.webPort,
          path: '/api/messages',
          headers: { host },
        });
        req.on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status('evil.test')).toBe(403);
    expect(await status(`evil.test:${inbox.webPort}`)).toBe(403);
    expect(await status(`localhost:${inbox.webPort}`)).toBe(200);
    expect((await request(`${inbox.url}/api/messages/999999`)).status).toBe(404);
  });

  it('says so and exits 1 when the SMTP port is taken; takes another web port when only that one is', async () => {
    const takenPort = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(takenPort, '127.0.0.1', resolve));
    try {
      const refused = await startInbox({ SMTP_PORT: String(takenPort) });
      await expect(refused.exited).resolves.toBe(1);
      expect(refused.output()).toContain(`127.0.0.1:${takenPort} is already in use`);

      const moved = await startInbox({ MAIL_INBOX_PORT: String(takenPort) });
      expect(moved.output()).toContain(`port ${takenPort} is in use`);
      expect(moved.url).not.toContain(`:${takenPort}`);
      expect((await request(`${moved.url}/api/messages`)).status).toBe(200);
      moved.child.kill('SIGTERM');
      await expect(moved.exited).resolves.toBe(0);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('stops on SIGTERM and frees both ports', async () => {
    const own = await startInbox();
    own.child.kill('SIGTERM');
    await expect(own.exited).resolves.toBe(0);
    expect(await portIsFree(own.smtpPort)).toBe(true);
    expect(await portIsFree(own.webPort)).toBe(true);
  });
});
