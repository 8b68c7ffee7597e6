import { registerServedContract, request, unregisterContract } from '@app/testing';
import { TestEnvironment } from '../support/test-environment';
import { ChildProcess, spawn } from 'node:child_process';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import { AuthClient, STRONG_PASSWORD, uniqueEmail } from '../support/auth-client';
import { servicesEnvironment } from '../support/processes';
import { freePort, isRunning, portIsFree, ProcessInfo, processTree } from '../support/process-tree';
import { waitFor } from '../support/wait-for';

/**
 * `npm start` as a developer runs it, with ports, a database and a Redis prefix of its own: the dev
 * mail inbox, the printed URLs, and that every signal a terminal or a process manager sends stops
 * the whole tree (npm, scripts/start.mjs, the seed, the API, the worker, the inbox) within 10 s.
 * It runs the build in dist/ (CI builds before testing; START_SKIP_BUILD builds only when stale).
 */
const ROOT = join(__dirname, '../..');
const STOP_LIMIT_MS = 10_000;

interface Started {
  npm: ChildProcess;
  output: () => string;
  exited: Promise<number | string | null>;
  ports: { api: number; smtp: number; inbox: number };
}

async function npmStart(env: TestEnvironment, extra: Record<string, string> = {}): Promise<Started> {
  const ports = { api: await freePort(), smtp: await freePort(), inbox: await freePort() };
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(ports.api),
      SMTP_PORT: String(ports.smtp),
      MAIL_INBOX_PORT: String(ports.inbox),
      START_SKIP_BUILD: 'true',
      ...servicesEnvironment(env.config),
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string | null>((resolve) =>
    npm.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { npm, output: () => output, exited, ports };
}

async function untilReady(started: Started): Promise<void> {
  let gone = false;
  void started.exited.then(() => (gone = true));
  await waitFor(
    () => Promise.resolve(gone || started.output().includes('Storekeep is ready')),
    150_000,
    'the ready message of npm start',
  );
  if (gone) throw new Error(`npm start exited before it was ready:\n${started.output()}`);
}

/** Waits until no process of the tree runs and the ports are free; returns the seconds it took. */
async function stopsWithin(tree: ProcessInfo[], ports: number[], limitMs = STOP_LIMIT_MS): Promise<number> {
  const began = Date.now();
  await waitFor(
    () => Promise.resolve(tree.every((info) => !isRunning(info))),
    limitMs,
    `every process of the tree to exit (${tree
      .filter(isRunning)
      .map((info) => `${info.pid} ${info.command}`)
      .join('; ')})`,
  ).catch((error: Error) => {
    const left = tree.filter(isRunning).map((info) => `${info.pid} ${info.command}`);
    throw new Error(`${error.message}; still running: ${left.join('; ')}`);
  });
  for (const port of ports) expect(await portIsFree(port)).toBe(true);
  return (Date.now() - began) / 1000;
}

const commands = (tree: ProcessInfo[]) => tree.map((info) => info.command).join('\n');

type Summary = { id: string; subject: string; to: string[] };

/** The newest mail to `email` with that subject, once the worker has sent it to the dev inbox. */
async function mailTo(inboxUrl: string, email: string, subject: string) {
  let found: Summary | undefined;
  await waitFor(
    async () => {
      const list = await request<{ data: Summary[] }>(
        `${inboxUrl}/api/messages?to=${encodeURIComponent(email)}`,
      );
      found = list.body.data.find((entry) => entry.subject === subject);
      return found !== undefined;
    },
    30_000,
    `the mail "${subject}" in the dev inbox`,
  );
  expect(found!.to).toEqual([email]);
  const message = await request<{ text: string; links: string[] }>(`${inboxUrl}/api/messages/${found!.id}`);
  return { id: found!.id, ...message.body };
}

/**
 * Opens a link of a mail and submits the form on its page as a browser would: GET the page, then POST
 * the fields, urlencoded, to the page's own URL (the form has no action) with the page's Origin.
 */
async function followForm(link: string, fields: Record<string, string>) {
  const page = await request(link);
  expect(page.status).toBe(200);
  expect(page.text).toMatch(/<form method="post">/);
  for (const name of Object.keys(fields)) expect(page.text).toContain(`name="${name}"`);
  return request(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(link).origin },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('npm start (dev)', () => {
  let env: TestEnvironment;
  const trees: ProcessInfo[][] = [];
  const apis: string[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create();
  });
  afterEach(() => {
    // A failed test must not leave its processes behind.
    for (const info of trees.flat()) if (isRunning(info)) process.kill(info.pid, 'SIGKILL');
    trees.length = 0;
    for (const api of apis.splice(0)) unregisterContract(api);
  });
  afterAll(() => env.cleanup());

  /** Starts, waits for the ready message, and returns the started tree (npm, start.mjs, api, worker). */
  async function startTree(extra: Record<string, string> = {}) {
    const started = await npmStart(env, extra);
    const earlyTree = () => processTree(started.npm.pid!);
    trees.push(earlyTree());
    await untilReady(started);
    const tree = processTree(started.npm.pid!);
    trees.push(tree);
    expect(commands(tree)).toMatch(/scripts\/start\.mjs/);
    expect(commands(tree)).toMatch(/dist\/src\/main\.js/);
    expect(commands(tree)).toMatch(/dist\/src\/worker\.js/);
    // The API runs in a child process: its answers are checked against the document it serves, as
    // TestEnvironment.startApi does for an API in the test's own process (contract tests, issue 15).
    const api = `http://127.0.0.1:${started.ports.api}`;
    expect(await registerServedContract(api)).toBe(true);
    apis.push(api);
    return { started, tree };
  }

  it('prints the URLs, runs the dev mail inbox, where the verification and reset links of the mails open its pages and work, and stops on SIGTERM within 10 s', async () => {
    const { started, tree } = await startTree();
    const { api, smtp, inbox } = started.ports;
    const out = started.output();
    expect(out).toMatch(/Node v\d+\.\d+\.\d+/);
    for (const url of [
      `http://localhost:${api}/v1`,
      `http://localhost:${api}/docs`,
      `http://localhost:${api}/admin/queues`,
      `http://localhost:${api}/admin/dashboard`,
      `http://localhost:${inbox}`,
    ])
      expect(out).toContain(url);
    expect(out).toContain(`SMTP 127.0.0.1:${smtp}`);
    expect(out).toContain(
      `Mail links    open the inbox's /verify-email and /reset-password pages (PUBLIC_APP_URL=http://localhost:${inbox})`,
    );

    const client = new AuthClient(`http://127.0.0.1:${api}`);
    const email = uniqueEmail('inbox');
    const registered = await client.post('/v1/auth/register', {
      email,
      password: STRONG_PASSWORD,
      name: 'Ann Inbox',
    });
    expect(registered.status).toBe(202);

    const inboxUrl = `http://127.0.0.1:${inbox}`;
    const verification = await mailTo(inboxUrl, email, 'Confirm your email address for Storekeep');
    // The link points at the inbox (npm start set PUBLIC_APP_URL), as the mail's text shows it too.
    const link = verification.links.find((url) => url.includes('/verify-email?token='));
    expect(link).toMatch(new RegExp(`^http://localhost:${inbox}/verify-email\\?token=`));
    expect(verification.text).toContain(link);

    const page = await request(`${inboxUrl}/messages/${verification.id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain(`href="${link}"`);
    expect(page.text).toContain('sandbox="allow-popups allow-popups-to-escape-sandbox"');
    expect(page.text).not.toMatch(/<script/i);
    expect(page.text).toContain("The link opens this inbox's page for it");
    const index = await request(`${inboxUrl}/`);
    expect(index.text).toContain(email);

    const session = await client.login(email);
    expect(session.status).toBe(200);
    const me = () => client.get<{ emailVerified: boolean }>('/v1/me', session.body.accessToken);
    expect((await me()).body.emailVerified).toBe(false);

    // Clicking the link, then the page's button.
    const verified = await followForm(link!, {});
    expect(verified.status).toBe(200);
    expect(verified.text).toContain('Your email address is verified.');
    expect((await me()).body.emailVerified).toBe(true);
    // The link works once: the page shows the API's problem, not a 5xx.
    const again = await followForm(link!, {});
    expect(again.status).toBe(422);
    expect(again.text).toContain('This verification link is invalid, used or expired.');

    // A reset link from "forgot password" works the same way; the API's policy errors show on the page.
    expect((await client.post('/v1/auth/password/forgot', { email })).status).toBe(202);
    const reset = await mailTo(inboxUrl, email, 'Reset your Storekeep password');
    const resetLink = reset.links.find((url) => url.includes('/reset-password?token='));
    expect(resetLink).toMatch(new RegExp(`^http://localhost:${inbox}/reset-password\\?token=`));
    const weak = await followForm(resetLink!, { password: 'password', confirm: 'password' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('is one of the most common passwords; choose another');
    const newPassword = 'A brand new inbox passphrase 7';
    const changed = await followForm(resetLink!, { password: newPassword, confirm: newPassword });
    expect(changed.status).toBe(200);
    expect(changed.text).toContain('Your password is changed');
    expect(changed.text).not.toContain(newPassword);
    expect((await client.login(email, newPassword)).status).toBe(200);
    expect((await client.login(email)).status).toBe(401);

    started.npm.kill('SIGTERM');
    await stopsWithin(tree, [api, smtp, inbox]);
    await expect(started.exited).resolves.toBe(0);
    expect(started.output()).toContain('SIGTERM received: stopping api, worker, mail inbox');
  }, 240_000);

  it('says so and carries on without its inbox when the SMTP port is taken, and stops on SIGINT within 10 s', async () => {
    const smtpPort = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(smtpPort, '127.0.0.1', resolve));
    try {
      const { started, tree } = await startTree({ SMTP_PORT: String(smtpPort) });
      expect(started.output()).toContain(`127.0.0.1:${smtpPort} is already in use`);
      expect(started.output()).not.toContain('Mail inbox');
      started.npm.kill('SIGINT');
      await stopsWithin(tree, [started.ports.api, started.ports.inbox]);
      expect(started.output()).toContain('SIGINT received: stopping api, worker');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 240_000);

  it('stops everything within 10 s on SIGHUP to npm, which npm does not pass on', async () => {
    const { started, tree } = await startTree();
    started.npm.kill('SIGHUP');
    await stopsWithin(tree, [started.ports.api, started.ports.smtp, started.ports.inbox]);
    expect(started.output()).toMatch(/parent process \d+ gone: stopping/);
  }, 240_000);

  it('API and worker stop by themselves within 10 s when start.mjs is killed with SIGKILL', async () => {
    const { started, tree } = await startTree();
    const script = tree.find((info) => /scripts\/start\.mjs/.test(info.command))!;
    process.kill(script.pid, 'SIGKILL');
    await stopsWithin(tree, [started.ports.api, started.ports.smtp, started.ports.inbox]);
  }, 240_000);
});

describe('npm start (dev) on an empty database', () => {
  let env: TestEnvironment;
  let tree: ProcessInfo[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create();
  });
  afterAll(async () => {
    for (const info of tree) if (isRunning(info)) process.kill(info.pid, 'SIGKILL');
    await env.cleanup();
  });

  it('stops the running seed too on SIGTERM within 10 s', async () => {
    const started = await npmStart(env);
    await waitFor(
      () => Promise.resolve(/scripts\/seed\.ts/.test(commands(processTree(started.npm.pid!)))),
      60_000,
      'the demo seed to run',
    );
    tree = processTree(started.npm.pid!);
    started.npm.kill('SIGTERM');
    await stopsWithin(tree, [started.ports.api, started.ports.smtp, started.ports.inbox]);
    expect(started.output()).toMatch(/SIGTERM received: stopping seed/);
  }, 120_000);
});
