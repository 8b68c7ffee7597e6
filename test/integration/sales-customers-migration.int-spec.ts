import { loadConfig, withOverrides } from '@app/config';
import { buildDataSourceOptions, dropDatabase, ensureDatabase } from '@app/database';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../src/database/migrations';
import { SalesCustomers1798100000001 } from '../../src/database/migrations/1798100000001-SalesCustomers';
import { HISTORIES, insertHistory } from '../support/sales-histories';

/**
 * SalesCustomers adds new/returning customer counts to the hourly sales rollups and fills them in for
 * the buckets that already exist, from the orders (frozen SQL: it imports no app code). Orders and
 * buckets written at the schema before it must come out counted as an independent window-function
 * query over the orders says.
 */
describe('SalesCustomers migration fills the existing buckets', () => {
  const config = withOverrides(loadConfig(), {
    database: { name: `sk_migr_${randomBytes(4).toString('hex')}`, poolSize: 2 },
  });
  const boundary = MIGRATIONS.indexOf(SalesCustomers1798100000001);
  let db: DataSource;

  const migrate = async (migrations: Function[]): Promise<void> => {
    const source = new DataSource({ ...buildDataSourceOptions(config.database), migrations });
    await source.initialize();
    try {
      await source.runMigrations({ transaction: 'each' });
    } finally {
      await source.destroy();
    }
  };

  beforeAll(async () => {
    expect(boundary).toBeGreaterThan(0);
    await ensureDatabase(config.database);
    await migrate(MIGRATIONS.slice(0, boundary));
    db = new DataSource(buildDataSourceOptions(config.database));
    await db.initialize();
  }, 60_000);
  afterAll(async () => {
    await db?.destroy();
    await dropDatabase(config.database);
  });

  it('counts each bucket’s orders as new or returning customers; buckets without orders stay 0', async () => {
    for (const history of HISTORIES) await insertHistory(db, history);
    // The buckets as the rollups had them: placed orders per hour, and an hour with only a refund.
    await db.query(
      `INSERT INTO sales_hourly (bucket_start, currency, orders_placed)
       SELECT CAST(DATE_FORMAT(created_at, '%Y-%m-%d %H:00:00') AS DATETIME), currency, COUNT(*)
       FROM orders GROUP BY 1, 2`,
    );
    await db.query(
      "INSERT INTO sales_hourly (bucket_start, currency, refunds, net) VALUES ('2026-10-22 08:00:00', 'EUR', 1000, -1000)",
    );
    await migrate(MIGRATIONS);

    const stored = await db.query<
      Array<{ bucket: string; currency: string; n: string; r: string; placed: string }>
    >(
      `SELECT DATE_FORMAT(bucket_start, '%Y-%m-%d %H') AS bucket, currency, new_customers AS n,
              returning_customers AS r, orders_placed AS placed
       FROM sales_hourly ORDER BY bucket, currency`,
    );
    const expected = await db.query<Array<{ bucket: string; currency: string; n: string; r: string }>>(
      `SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H') AS bucket, currency, SUM(first) AS n, SUM(1 - first) AS r
       FROM (SELECT created_at, currency,
                    ROW_NUMBER() OVER (PARTITION BY COALESCE(customer_id, CONCAT('guest:', email))
                                       ORDER BY created_at, id) = 1 AS first
             FROM orders) o
       GROUP BY bucket, currency`,
    );
    const want = new Map(
      expected.map((row) => [`${row.bucket}|${row.currency}`, [Number(row.n), Number(row.r)]]),
    );
    for (const row of stored) {
      const key = `${row.bucket}|${row.currency}`;
      expect([key, Number(row.n), Number(row.r)]).toEqual([key, ...(want.get(key) ?? [0, 0])]);
      expect(Number(row.n) + Number(row.r)).toBe(Number(row.placed));
    }
    expect(stored.reduce((sum, row) => sum + Number(row.r), 0)).toBe(5); // ada ×3, bob, cleo (accounts)
  }, 60_000);
});
