import type { AppConfig } from '@app/config';
import { checkedFetch } from '@app/testing';
import { transformFile } from '@swc/core';
import { ChildProcess, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { waitFor } from './wait-for';

const ROOT = join(__dirname, '../..');

export interface Running {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output: () => string;
  /** Its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/** The JSON log lines in what a process wrote (pino's lines; anything else is skipped). */
export function logLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Runs an entry point (`src/worker.ts`) as its own process: from source under ts-node, or from a
 * `CompiledApp` the way `node dist/src/worker.js` runs it.
 */
export function runEntry(
  entry: string,
  env: Record<string, string>,
  compiled?: CompiledApp,
  entryArgs: string[] = [],
): Running {
  const args = [
    ...(compiled
      ? [compiled.path(entry)]
      : ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', entry]),
    ...entryArgs,
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      TS_NODE_TRANSPILE_ONLY: 'true',
      ...(compiled ? { NODE_PATH: join(ROOT, 'node_modules') } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/**
 * The application compiled to JavaScript in a temporary folder with swc and the repository's .swcrc
 * (what Jest runs the in-process tests with), `@app/*` imports rewritten to relative paths. A test
 * that starts the worker many times uses it: a process starts in a third of the time ts-node takes,
 * which spends most of it compiling ~340 files again on every start.
 */
export class CompiledApp {
  private constructor(readonly folder: string) {}

  static async build(): Promise<CompiledApp> {
    const folder = await mkdtemp(join(tmpdir(), 'storekeep-app-'));
    const { $schema: _schema, ...swcrc } = JSON.parse(await readFile(join(ROOT, '.swcrc'), 'utf8')) as {
      $schema?: string;
      jsc: Record<string, unknown>;
    };
    const tsconfig = JSON.parse(await readFile(join(ROOT, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { paths: Record<string, string[]> };
    };
    const options = {
      ...swcrc,
      swcrc: false,
      sourceMaps: false,
      jsc: { ...swcrc.jsc, baseUrl: ROOT, paths: tsconfig.compilerOptions.paths },
    };
    const sources = ['src', 'libs/common/src', 'libs/config/src', 'libs/database/src'];
    const files = (await Promise.all(sources.map((source) => filesUnder(join(ROOT, source))))).flat();
    await Promise.all(
      files.map(async (file) => {
        const target = join(folder, relative(ROOT, file));
        await mkdir(dirname(target), { recursive: true });
        if (!file.endsWith('.ts')) return copyFile(file, target); // assets read at run time
        const { code } = await transformFile(file, options);
        await writeFile(target.replace(/\.ts$/, '.js'), code);
      }),
    );
    return new CompiledApp(folder);
  }

  /** Where the compiled form of a source file (`src/worker.ts`) is. */
  path(entry: string): string {
    return join(this.folder, entry.replace(/\.ts$/, '.js'));
  }

  remove(): Promise<void> {
    return rm(this.folder, { recursive: true, force: true });
  }
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.spec.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The environment variables that give a spawned API or worker the services of a TestEnvironment. */
export function servicesEnvironment(config: AppConfig): Record<string, string> {
  const { database, redis } = config;
  return {
    DB_HOST: database.host,
    DB_PORT: String(database.port),
    DB_USER: database.user,
    DB_PASSWORD: database.password,
    DB_NAME: database.name,
    REDIS_HOST: redis.host,
    REDIS_PORT: String(redis.port),
    REDIS_PREFIX: redis.prefix,
  };
}

/** An API process (src/main.ts) listening on 127.0.0.1:`port`. */
export interface ApiProcess extends Running {
  port: number;
  baseUrl: string;
}

/**
 * Starts the API as its own process on 127.0.0.1:`port` and resolves once GET /health/ready answers
 * 200 (migrated, MySQL and Redis connected); fails at once, with its output, if the process exits.
 */
export async function startApiProcess(
  env: Record<string, string>,
  port: number,
  compiled?: CompiledApp,
  timeoutMs = 90_000,
): Promise<ApiProcess> {
  const running = runEntry('src/main.ts', { ...env, PORT: String(port), HOST: '127.0.0.1' }, compiled);
  const api = { ...running, port, baseUrl: `http://127.0.0.1:${port}` };
  await waitUntilStarted(
    api,
    () =>
      checkedFetch(`${api.baseUrl}/health/ready`).then(
        (response) => response.ok,
        () => false, // not listening yet
      ),
    timeoutMs,
    `the API on port ${port} to be ready`,
  );
  return api;
}

/** Starts the worker (src/worker.ts) as its own process; resolves once it has logged that it started. */
export async function startWorkerProcess(
  env: Record<string, string>,
  compiled?: CompiledApp,
  timeoutMs = 90_000,
): Promise<Running> {
  // "Worker started" is logged at info: a quieter LOG_LEVEL would hide the moment it is up.
  const worker = runEntry('src/worker.ts', { ...env, LOG_LEVEL: 'info' }, compiled);
  await waitUntilStarted(
    worker,
    () => Promise.resolve(worker.output().includes('Worker started')),
    timeoutMs,
    'the worker to start',
  );
  return worker;
}

async function waitUntilStarted(
  target: Running,
  started: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  try {
    await waitFor(
      async () => {
        if (target.child.exitCode !== null || target.child.signalCode !== null)
          throw new Error(`the process exited (${target.child.exitCode ?? target.child.signalCode})`);
        return started();
      },
      timeoutMs,
      what,
    );
  } catch (error) {
    if (target.child.exitCode === null) target.child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; it said:\n${target.output().slice(-4000)}`, {
      cause: error,
    });
  }
}

/**
 * Sends `signal` and waits for the process to exit; past `timeoutMs` it is SIGKILLed and this fails.
 * Resolves with the exit code (null when a signal ended it).
 */
export async function stopProcess(
  target: Running,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 30_000,
): Promise<number | null> {
  if (target.child.exitCode !== null || target.child.signalCode !== null) return target.exited;
  target.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  const result = await Promise.race([target.exited, late]);
  clearTimeout(timer);
  if (result === 'late') {
    target.child.kill('SIGKILL');
    await target.exited;
    throw new Error(
      `still running ${timeoutMs} ms after ${signal}; it said:\n${target.output().slice(-4000)}`,
    );
  }
  return result;
}
