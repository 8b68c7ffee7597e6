import { dropDatabase } from '@app/database';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import type { BackupManifest } from '../../scripts/backup/manifest';
import { AuthClient, createUser } from '../support/auth-client';
import { runEntry, servicesEnvironment } from '../support/processes';
import { ShopAdmin, ShopClient } from '../support/shop-client';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { waitFor } from '../support/wait-for';

/**
 * `npm run backup` and `npm run restore` as an operator runs them, on a shop that keeps selling:
 * orders are placed during the whole backup, the dump is restored into a new database, every table
 * matches the manifest, the restored data is one consistent moment (each order with its cart, lines
 * and outbox event), and the app started on the restored database signs people in and takes an order.
 */
describe('backup and restore', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let db: DataSource;
  let admin: ShopAdmin;
  let staff: { email: string; tokens: { accessToken: string } };
  let variantId: string;
  let folder: string;
  /** The backup the first test took, for the second. */
  let backedUp: { dump: string; manifest: BackupManifest } | undefined;
  const restoredName = () => `${env.config.database.name}_restored`;
  const corruptName = () => `${env.config.database.name}_corrupt`;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    db = api.app.get(DataSource);
    const client = new AuthClient(api.baseUrl);
    staff = await createUser(client, db, { role: 'admin' });
    admin = new ShopAdmin(client, staff.tokens.accessToken);
    await admin.setUp();
    ({ variantId } = await admin.variantWithStock(100_000, 1250));
    folder = await mkdtemp(join(tmpdir(), 'storekeep-backup-test-'));
  }, 60_000);

  afterAll(async () => {
    await env.cleanup();
    await dropDatabase({ ...env.config.database, name: restoredName() });
    await dropDatabase({ ...env.config.database, name: corruptName() });
    await rm(folder, { recursive: true, force: true });
  });

  const shop = () => new ShopClient(api.baseUrl);

  async function placeOrder(client: ShopClient): Promise<string> {
    const { cart, shopper } = await client.newCart();
    await client.add(cart.id, shopper, variantId, 1 + (randomBytes(1)[0] % 3));
    await client.prepare(cart.id, shopper);
    const placed = await client.checkout(cart.id, shopper);
    if (placed.status !== 201) throw new Error(`checkout: ${placed.status} ${placed.text}`);
    return placed.body.id;
  }

  /**
   * Idempotency records that make the dump take a while (~16 MB of rows between `carts` and `orders`
   * in dump order): a dump that read its tables at different moments would catch orders without
   * their checked-out carts.
   */
  async function fillIdempotencyKeys(rows: number): Promise<void> {
    for (let start = 0; start < rows; start += 1_000) {
      // Random, so gzip cannot shrink it to nothing: writing the dump takes its time too.
      const body = randomBytes(400).toString('hex');
      const values = Array.from({ length: 1_000 }, (_, i) => [
        'backup-test',
        (start + i).toString(16).padStart(64, '0'),
        '0'.repeat(64),
        'POST',
        '/v1/backup-test',
        'completed',
        '0'.repeat(32),
        200,
        body,
        'application/json',
        new Date(Date.now() + 86_400_000),
      ]);
      await db.query(
        `INSERT INTO idempotency_keys (scope, key_hash, request_fingerprint, method, path, state,
           claim_token, response_status, response_body, response_content_type, expires_at) VALUES ?`,
        [values],
      );
    }
  }

  /** `npm run backup` / `npm run restore` with the test's services, as their own processes. */
  function script(name: 'backup' | 'restore', args: string[]) {
    return runEntry(
      `scripts/backup/${name}.ts`,
      { ...servicesEnvironment(env.config), NODE_ENV: 'test', LOG_LEVEL: 'silent' },
      undefined,
      args,
    );
  }

  /** Every table's row count and CHECKSUM TABLE, computed here (not by the script under test). */
  async function checksumsOf(database: string): Promise<BackupManifest['tables']> {
    const tables = await db.query<Array<{ name: string }>>(
      `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`,
      [database],
    );
    const result: BackupManifest['tables'] = {};
    for (const { name } of tables) {
      const [{ Checksum }] = await db.query<Array<{ Checksum: string | number }>>(
        `CHECKSUM TABLE \`${database}\`.\`${name}\` EXTENDED`,
      );
      const [{ n }] = await db.query<Array<{ n: string }>>(
        `SELECT COUNT(*) AS n FROM \`${database}\`.\`${name}\``,
      );
      result[name] = { rows: Number(n), checksum: String(Checksum) };
    }
    return result;
  }

  async function backupFiles(): Promise<{ dump: string; manifest: BackupManifest }> {
    const names = await readdir(folder);
    const dump = names.filter((name) => name.endsWith('.sql.gz'));
    const manifests = names.filter((name) => name.endsWith('.manifest.json'));
    expect({ dump: dump.length, manifests: manifests.length, files: names.length }).toEqual({
      dump: 1,
      manifests: 1,
      files: 2,
    });
    const manifest = JSON.parse(await readFile(join(folder, manifests[0]), 'utf8')) as BackupManifest;
    return { dump: join(folder, dump[0]), manifest };
  }

  const countOrders = async (database: string) =>
    Number((await db.query<Array<{ n: string }>>(`SELECT COUNT(*) AS n FROM \`${database}\`.orders`))[0].n);

  /** What the restored database must hold for every order, whatever moment the backup caught. */
  async function inconsistencies(database: string): Promise<string[]> {
    const rows = await db.query<Array<{ problem: string }>>(
      `SELECT CONCAT('order ', o.id, ' has no checked-out cart') AS problem FROM \`${database}\`.orders o
         WHERE NOT EXISTS (SELECT 1 FROM \`${database}\`.carts c WHERE c.order_id = o.id AND c.status = 'checked_out')
       UNION ALL
       SELECT CONCAT('cart ', c.id, ' names a missing order') FROM \`${database}\`.carts c
         WHERE c.order_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \`${database}\`.orders o WHERE o.id = c.order_id)
       UNION ALL
       SELECT CONCAT('order ', o.id, ' has no lines') FROM \`${database}\`.orders o
         WHERE NOT EXISTS (SELECT 1 FROM \`${database}\`.order_lines l WHERE l.order_id = o.id)
       UNION ALL
       SELECT CONCAT('order ', o.id, ' has no order.placed event') FROM \`${database}\`.orders o
         WHERE NOT EXISTS (SELECT 1 FROM \`${database}\`.outbox m WHERE m.job_name = 'order.placed'
                             AND JSON_UNQUOTE(JSON_EXTRACT(m.payload, '$.orderId')) = o.id)
       UNION ALL
       SELECT CONCAT('order.placed event ', m.id, ' of a missing order') FROM \`${database}\`.outbox m
         WHERE m.job_name = 'order.placed' AND NOT EXISTS (SELECT 1 FROM \`${database}\`.orders o
                 WHERE o.id = JSON_UNQUOTE(JSON_EXTRACT(m.payload, '$.orderId')))`,
    );
    return rows.map((row) => row.problem);
  }

  it('backs up while orders are placed, restores every table exactly, and the restored shop sells', async () => {
    const client = shop();
    const before: string[] = [];
    for (let i = 0; i < 5; i++) before.push(await placeOrder(client));
    await fillIdempotencyKeys(30_000);

    // Orders keep coming, three at a time, from before the backup starts until it has finished.
    let writing = true;
    let placedDuring = 0;
    const writer = async () => {
      while (writing) {
        await placeOrder(client);
        placedDuring += 1;
      }
    };
    const writers = [writer(), writer(), writer()];
    // Some of them commit before the backup starts, so its snapshot must hold more than the seed.
    await waitFor(() => Promise.resolve(placedDuring >= 3), 30_000, 'the writers to place three orders');
    const backup = script('backup', ['--out', folder]);
    const backupCode = await backup.exited;
    writing = false;
    await Promise.all(writers);
    expect({ code: backupCode, output: backup.output() }).toEqual({
      code: 0,
      output: expect.stringContaining('verified: restored into scratch database'),
    });
    const { dump, manifest } = await backupFiles();
    backedUp = { dump, manifest };
    expect(manifest.database.name).toBe(env.config.database.name);

    // The snapshot fell inside the writing: it holds orders placed after the backup started, and
    // the live database went on to take orders it does not hold.
    const inBackup = manifest.tables.orders.rows;
    expect(placedDuring).toBeGreaterThan(0);
    expect(inBackup).toBeGreaterThanOrEqual(before.length + 3);
    expect(await countOrders(env.config.database.name)).toBeGreaterThan(inBackup);

    const restore = script('restore', [dump, '--database', restoredName()]);
    expect({ code: await restore.exited, output: restore.output() }).toEqual({
      code: 0,
      output: expect.stringContaining('checksums match the backup'),
    });
    // Every table, checked here too: same tables, same row counts, same checksums as the manifest.
    const restored = await checksumsOf(restoredName());
    expect(Object.keys(restored).length).toBeGreaterThan(40);
    expect(restored).toEqual(manifest.tables);
    expect(restored.orders.rows).toBe(inBackup);
    // One moment of the shop: no order without its checked-out cart, lines and event, and no more.
    expect(await inconsistencies(restoredName())).toEqual([]);

    // A database with tables is not overwritten without --force.
    const again = script('restore', [dump, '--database', restoredName()]);
    expect({ code: await again.exited, output: again.output() }).toEqual({
      code: 4,
      output: expect.stringContaining('add --force to replace it'),
    });

    // The app on the restored database, with an empty Redis (its own prefix): sessions come back
    // from MySQL (the access token from before the backup still works), people sign in, orders
    // from before are there and a new one is taken.
    await api.close();
    const restoredApi = await env.startApi([], {
      database: { name: restoredName(), createIfMissing: false },
      redis: { prefix: `${env.config.redis.prefix}:restored` },
      rateLimit: { max: 1_000_000 },
    });
    db = restoredApi.app.get(DataSource); // the first API's pool is closed; queries name their database
    const auth = new AuthClient(restoredApi.baseUrl);
    expect((await auth.get<{ email: string }>('/v1/me', staff.tokens.accessToken)).body.email).toBe(
      staff.email,
    );
    const login = await auth.login(staff.email);
    expect(login.status).toBe(200);
    const old = await auth.get<{ id: string }>(`/v1/admin/orders/${before[0]}`, login.body.accessToken);
    expect({ status: old.status, id: old.body.id }).toEqual({ status: 200, id: before[0] });

    const orderId = await placeOrder(new ShopClient(restoredApi.baseUrl));
    const taken = await auth.get<{ id: string; status: string }>(
      `/v1/admin/orders/${orderId}`,
      login.body.accessToken,
    );
    expect({ status: taken.status, order: taken.body.status }).toEqual({
      status: 200,
      order: 'pending_payment',
    });
    expect(await countOrders(restoredName())).toBe(inBackup + 1);
    expect(await inconsistencies(restoredName())).toEqual([]);
  }, 180_000);

  it('refuses a dump that is not the one its manifest describes, and names the table a changed row is in', async () => {
    if (!backedUp) throw new Error('needs the backup of the first test');
    // One row changed: the staff member's email, same length, so the dump stays well-formed.
    const sql = gunzipSync(await readFile(backedUp.dump)).toString('utf8');
    const changed = staff.email.replace(/^./, (first) => (first === 'z' ? 'y' : 'z'));
    expect(sql).toContain(`'${staff.email}'`);
    const corrupt = gzipSync(Buffer.from(sql.replace(`'${staff.email}'`, `'${changed}'`)));
    const corruptDump = join(folder, 'corrupt.sql.gz');
    await writeFile(corruptDump, corrupt);

    // With the original manifest: the file is refused before anything is written.
    await writeFile(join(folder, 'corrupt.manifest.json'), JSON.stringify(backedUp.manifest));
    const refused = script('restore', [corruptDump, '--database', corruptName()]);
    expect({ code: await refused.exited, output: refused.output() }).toEqual({
      code: 1,
      output: expect.stringContaining('is not the file its manifest describes'),
    });

    // With a manifest that vouches for the file (its SHA-256 forged): restored, and the checksums
    // name the one table that differs.
    const forged = {
      ...backedUp.manifest,
      dump: { ...backedUp.manifest.dump, sha256: createHash('sha256').update(corrupt).digest('hex') },
    };
    await writeFile(join(folder, 'corrupt.manifest.json'), JSON.stringify(forged));
    const mismatch = script('restore', [corruptDump, '--database', corruptName()]);
    const code = await mismatch.exited;
    const lines = mismatch
      .output()
      .split('\n')
      .filter((line) => line.includes('mismatch:'));
    expect({ code, tables: lines.map((line) => line.replace(/^.*mismatch: (\w+):.*$/, '$1')) }).toEqual({
      code: 3,
      tables: ['users'],
    });
  }, 60_000);
});
