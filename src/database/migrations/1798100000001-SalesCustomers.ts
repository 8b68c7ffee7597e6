/**
 * New and returning customers in the hourly sales rollups: the orders placed in the hour by a
 * customer (account, or a guest's email) with no earlier order, and with one. Existing buckets are
 * filled from the orders here, so reports over old hours need no reconciliation run; the email
 * index serves the guest half of the "earlier order?" lookup.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class SalesCustomers1798100000001 implements MigrationInterface {
  name = 'SalesCustomers1798100000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE \`sales_hourly\`
        ADD \`new_customers\` int NOT NULL DEFAULT 0,
        ADD \`returning_customers\` int NOT NULL DEFAULT 0
    `);
    await queryRunner.query(
      `CREATE INDEX \`ix_orders_email_created\` ON \`orders\` (\`email\`, \`created_at\`, \`id\`)`,
    );
    await queryRunner.query(`
      UPDATE \`sales_hourly\` h
      JOIN (
        SELECT CAST(DATE_FORMAT(o.created_at, '%Y-%m-%d %H:00:00') AS DATETIME) AS bucket_start, o.currency,
               SUM(1 - o.returning_customer) AS new_customers, SUM(o.returning_customer) AS returning_customers
        FROM (
          SELECT o.created_at, o.currency,
                 CASE WHEN o.customer_id IS NOT NULL
                   THEN EXISTS (SELECT 1 FROM \`orders\` e WHERE e.customer_id = o.customer_id
                                AND (e.created_at < o.created_at OR (e.created_at = o.created_at AND e.id < o.id)))
                   ELSE EXISTS (SELECT 1 FROM \`orders\` e WHERE e.email = o.email AND e.customer_id IS NULL
                                AND (e.created_at < o.created_at OR (e.created_at = o.created_at AND e.id < o.id)))
                 END AS returning_customer
          FROM \`orders\` o
        ) o
        GROUP BY 1, 2
      ) c ON c.bucket_start = h.bucket_start AND c.currency = h.currency
      SET h.new_customers = c.new_customers, h.returning_customers = c.returning_customers
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`ix_orders_email_created\` ON \`orders\``);
    await queryRunner.query(`
      ALTER TABLE \`sales_hourly\` DROP COLUMN \`returning_customers\`, DROP COLUMN \`new_customers\`
    `);
  }
}
