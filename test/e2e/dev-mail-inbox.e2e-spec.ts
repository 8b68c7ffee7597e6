import { request } from '@app/testing';
import { ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
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

describe('dev mail inbox (scripts/dev-mail)', () => {
  let inbox: Inbox;

  beforeAll(async () => {
    inbox = await startInbox({ MAIL_INBOX_LIMIT: '2' });
  });
  afterAll(async () => {
    if (inbox.child.exitCode === null) inbox.child.kill('SIGKILL');
    await inbox.exited;
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
    expect(page.text).toContain(
      'curl -X POST http://localhost:3000/v1/auth/password/reset -H &#39;content-type: application/json&#39; ' +
        '-d &#39;{&quot;token&quot;:&quot;abc&quot;,&quot;newPassword&quot;:',
    );
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
