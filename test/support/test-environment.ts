import { AppConfig, loadConfig, withOverrides } from '@app/config';
import { dropDatabase, ensureDatabase } from '@app/database';
import { INestApplicationContext, ModuleMetadata } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { registerContract, unregisterContract } from '@app/testing';
import { createHttpApp } from '../../src/bootstrap/http-app';
import { servedOpenApiDocument } from '../../src/bootstrap/swagger';
import { createWorkerApp } from '../../src/bootstrap/worker-app';

type Imports = NonNullable<ModuleMetadata['imports']>;
type Overrides = Parameters<typeof withOverrides>[1];

export interface TestApi {
  app: NestFastifyApplication;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * One isolated environment per test file: a uniquely named database (migrated by the app on its
 * first start, with the real migrations), a unique Redis key and Bull prefix, and any number of API
 * and worker instances sharing them, all torn down by `cleanup()`.
 */
export class TestEnvironment {
  private readonly apps: INestApplicationContext[] = [];

  private constructor(readonly config: AppConfig) {}

  static async create(overrides: Overrides = {}): Promise<TestEnvironment> {
    const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const base = loadConfig(process.env);
    const config = withOverrides(base, {
      ...overrides,
      http: { port: 0, host: '127.0.0.1', ...overrides.http },
      database: {
        name: `sk_test_${runId}`,
        createIfMissing: true,
        migrationsRun: true,
        ...overrides.database,
      },
      redis: { prefix: `sk_test_${runId}`, ...overrides.redis },
      outbox: { pollIntervalMs: 20, ...overrides.outbox },
      // Every test request comes from 127.0.0.1: the per-IP credential route limit would throttle the
      // suite itself. Tests of that limit set it back.
      auth: { credentialRouteLimitPerMinute: 100_000, ipMaxFailures: 100_000, ...overrides.auth },
    });
    await ensureDatabase(config.database);
    return new TestEnvironment(config);
  }

  /** Boots the real API on a random port; `config` may change settings for this instance only. */
  async startApi(imports: Imports = [], overrides: Overrides = {}): Promise<TestApi> {
    const app = await createHttpApp(withOverrides(this.config, overrides), { imports });
    await app.listen(0, '127.0.0.1');
    this.apps.push(app);
    const address = app.getHttpServer().address() as { port: number };
    const baseUrl = `http://127.0.0.1:${address.port}`;
    // Every response request() gets from this API is checked against the document it serves.
    registerContract(baseUrl, servedOpenApiDocument(app));
    return {
      app,
      baseUrl,
      close: async () => {
        unregisterContract(baseUrl);
        await this.closeApp(app);
      },
    };
  }

  async startWorker(imports: Imports = [], overrides: Overrides = {}): Promise<INestApplicationContext> {
    const worker = await createWorkerApp(withOverrides(this.config, overrides), imports);
    this.apps.push(worker);
    return worker;
  }

  async closeApp(app: INestApplicationContext): Promise<void> {
    const index = this.apps.indexOf(app);
    if (index < 0) return;
    this.apps.splice(index, 1);
    await app.close();
  }

  async cleanup(): Promise<void> {
    for (const app of this.apps.splice(0).reverse()) await app.close().catch(() => undefined);
    await dropDatabase(this.config.database);
    await deleteRedisKeys(this.config);
  }
}

async function deleteRedisKeys(config: AppConfig): Promise<void> {
  const redis = new Redis({
    host: config.redis.host,
    port: config.redis.port,
    password: config.redis.password,
    db: config.redis.db,
  });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.redis.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
