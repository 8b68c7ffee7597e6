import { buildDataSourceOptions } from '@app/database';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../src/database/migrations';
import { CompiledApp, runEntry, servicesEnvironment } from '../support/processes';
import { TestEnvironment } from '../support/test-environment';

/**
 * `node dist/src/cli/migrate.js`, the release step of deploy/kubernetes (the migrations Job): the
 * built CLI against a fresh database on the real MySQL, twice at once (the advisory lock keeps them
 * from racing), then again (nothing pending), then with a bad configuration and an unreachable server.
 */
describe('migrate CLI (the migrations Job of deploy/kubernetes)', () => {
  let env: TestEnvironment;
  let compiled: CompiledApp;

  const migrate = async (extra: Record<string, string> = {}) => {
    const run = runEntry(
      'src/cli/migrate.ts',
      { NODE_ENV: 'test', LOG_LEVEL: 'error', ...servicesEnvironment(env.config), ...extra },
      compiled,
    );
    const code = await run.exited;
    return { code, output: run.output() };
  };
  const appliedMigrations = async (): Promise<string[]> => {
    const db = new DataSource(buildDataSourceOptions({ ...env.config.database, poolSize: 2 }));
    await db.initialize();
    try {
      const rows = await db.query<Array<{ name: string }>>('SELECT name FROM migrations ORDER BY id');
      return rows.map((row) => row.name);
    } finally {
      await db.destroy();
    }
  };

  beforeAll(async () => {
    // A fresh, empty database (no process of this environment starts, so nothing migrates it).
    [env, compiled] = await Promise.all([TestEnvironment.create(), CompiledApp.build()]);
  }, 60_000);

  afterAll(async () => {
    await env?.cleanup();
    await compiled?.remove();
  });

  it('applies every migration once, even when two runs start together', async () => {
    const runs = await Promise.all([migrate(), migrate()]);
    // The output is in the object so that a failure shows it.
    for (const run of runs) expect(run).toMatchObject({ code: 0 });
    expect(runs.map((run) => run.output).join('')).toContain(
      `the schema has all ${MIGRATIONS.length} migrations`,
    );
    const applied = await appliedMigrations();
    expect(applied).toHaveLength(MIGRATIONS.length);
    expect(new Set(applied).size).toBe(MIGRATIONS.length);
  }, 60_000);

  it('exits 0 with nothing pending on a migrated schema', async () => {
    const run = await migrate();
    expect(run).toMatchObject({ code: 0 });
    expect(run.output).toContain(`nothing pending: the schema has all ${MIGRATIONS.length} migrations`);
    expect(await appliedMigrations()).toHaveLength(MIGRATIONS.length);
  }, 30_000);

  it('exits 78 on a bad configuration, before touching the database', async () => {
    const run = await migrate({ DB_POOL_SIZE: 'many' });
    expect(run.code).toBe(78);
    expect(run.output).toContain('DB_POOL_SIZE');
  }, 30_000);

  it('exits 1 when MySQL cannot be reached', async () => {
    // Port 1 on loopback: refused at once (connectTimeout is 2 s for anything slower).
    const run = await migrate({ DB_PORT: '1' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('migrate: failed');
  }, 30_000);
});
