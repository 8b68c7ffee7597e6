import { request, TestEnvironment } from '@app/testing';
import { ChildProcess, spawn } from 'node:child_process';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import { STRONG_PASSWORD, uniqueEmail } from '../support/auth-client';
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

describe('npm start (dev)', () => {
  let env: TestEnvironment;
  const trees: ProcessInfo[][] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create();
  });
  afterEach(() => {
    // A failed test must not leave its processes behind.
    for (const info of trees.flat()) if (isRunning(info)) process.kill(info.pid, 'SIGKILL');
    trees.length = 0;
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
    return { started, tree };
  }

  it('prints the URLs, runs the dev mail inbox where a new customer reads and follows the verification link, and stops on SIGTERM within 10 s', async () => {
    const { started, tree } = await startTree();
    const { api, smtp, inbox } = started.ports;
    const out = started.output();
    expect(out).toMatch(/Node v\d+\.\d+\.\d+/);
    for (const url of [
      `http://localhost:${api}/v1`,
      `http://localhost:${api}/docs`,
      `http://localhost:${api}/admin/queues`,
      `http://localhost:${inbox}`,
    ])
      expect(out).toContain(url);
    expect(out).toContain(`SMTP 127.0.0.1:${smtp}`);

    const email = uniqueEmail('inbox');
    const registered = await request(`http://127.0.0.1:${api}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: STRONG_PASSWORD, name: 'Ann Inbox' }),
    });
    expect(registered.status).toBe(202);

    const inboxUrl = `http://127.0.0.1:${inbox}`;
    type Summary = { id: string; subject: string; to: string[] };
    let listed: Summary[] = [];
    await waitFor(
      async () => {
        const list = await request<{ data: Summary[] }>(
          `${inboxUrl}/api/messages?to=${encodeURIComponent(email)}`,
        );
        listed = list.body.data;
        return listed.length > 0;
      },
      30_000,
      'the verification mail in the dev inbox',
    );
    expect(listed).toEqual([
      expect.objectContaining({ subject: 'Confirm your email address for Storekeep', to: [email] }),
    ]);
    const message = await request<{ text: string; html: string; links: string[] }>(
      `${inboxUrl}/api/messages/${listed[0].id}`,
    );
    const link = message.body.links.find((url) => url.includes('/verify-email?token='));
    expect(link).toBeDefined();
    expect(message.body.text).toContain(link);

    const page = await request(`${inboxUrl}/messages/${listed[0].id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain(`href="${link}"`);
    expect(page.text).toContain('sandbox="allow-popups allow-popups-to-escape-sandbox"');
    expect(page.text).not.toMatch(/<script/i);
    // No storefront serves the link in development: the page shows the API call it stands for.
    expect(page.text).toContain(`curl -X POST http://localhost:${api}/v1/auth/email/verify`);
    const index = await request(`${inboxUrl}/`);
    expect(index.text).toContain(email);

    // Following the link: the storefront page would post its token.
    const token = new URL(link!).searchParams.get('token');
    const verified = await request(`http://127.0.0.1:${api}/v1/auth/email/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(verified.status).toBe(204);

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
