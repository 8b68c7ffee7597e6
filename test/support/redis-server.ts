import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort, supervise } from './process-tree';
import { waitFor } from './wait-for';

const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? 'redis-server';

/**
 * A private Redis for one test file, without persistence (no RDB snapshot, no AOF): killed and
 * started again on the same port it comes back empty, as a production Redis run as a pure cache
 * would. The machine's shared Redis is never touched. A watchdog kills it should the test process
 * end without `remove()`. Needs the redis-server package (scripts/services.sh installs it).
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly folder: string,
    readonly port: number,
  ) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await mkdtemp(join(tmpdir(), 'storekeep-redis-')), await freePort());
    await server.start();
    return server;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    const child = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.folder,
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    this.exited = supervise(child, () => {
      if (this.child === child) this.child = undefined;
    });
    await waitFor(
      async () => {
        if (this.child !== child) throw new Error(`redis-server on port ${this.port} exited while starting`);
        return this.answers();
      },
      15_000,
      `redis-server to answer on port ${this.port}`,
    );
  }

  /** SIGKILL: gone at once, and with it every key (there is no persistence to reload). */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async remove(): Promise<void> {
    await this.kill();
    await rm(this.folder, { recursive: true, force: true });
  }

  /** How many keys it holds (0 right after a restart). */
  async keyCount(): Promise<number> {
    const client = new Redis({
      host: '127.0.0.1',
      port: this.port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    try {
      await client.connect();
      return await client.dbsize();
    } finally {
      client.disconnect();
    }
  }

  private async answers(): Promise<boolean> {
    return this.keyCount().then(
      () => true,
      () => false,
    );
  }
}
