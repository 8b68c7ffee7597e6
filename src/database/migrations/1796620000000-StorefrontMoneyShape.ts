/**
 * The storefront read model (storefront_products) holds each product's list entry and page as JSON
 * text, rendered when the product last changed. Money there was `{amount, currency}` objects; the
 * API now sends integers in minor units with one `currency` per product (issue 15). This rewrites
 * the stored entries in place, so nothing has to be re-rendered: each money object becomes its
 * amount, and the entry gains `currency`.
 *
 * Frozen SQL on the text JSON.stringify wrote (no spaces, `amount` before `currency`): the four
 * money keys (`price`, `compareAtPrice`, and the price range's `min`, `max`) are unique to money
 * objects, and `,"currency":"XYZ"}` right after a digit ends only a money object (every other value
 * in an entry is a string, a boolean, null, an array or an object; quotes inside strings are
 * escaped). Works on MySQL 8.0.21+ and MariaDB 10.6+ (REGEXP_REPLACE with lookbehind, JSON_VALUE).
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

const flatten = (column: string): string => `
  REGEXP_REPLACE(
    REPLACE(REPLACE(REPLACE(REPLACE(${column},
      '"price":{"amount":', '"price":'),
      '"compareAtPrice":{"amount":', '"compareAtPrice":'),
      '"min":{"amount":', '"min":'),
      '"max":{"amount":', '"max":'),
    '(?<=[0-9]),"currency":"[A-Za-z]{3}"[}]', '')`;

const withCurrency = (column: string): string =>
  `CONCAT('{"currency":', JSON_QUOTE(JSON_VALUE(${column}, '$.priceRange.min.currency')), ',', SUBSTRING(${flatten(column)}, 2))`;

export class StorefrontMoneyShape1796620000000 implements MigrationInterface {
  name = 'StorefrontMoneyShape1796620000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE \`storefront_products\`
         SET \`summary\` = ${withCurrency('`summary`')},
             \`detail\` = ${withCurrency('`detail`')}
       WHERE JSON_VALUE(\`summary\`, '$.priceRange.min.currency') IS NOT NULL
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Back to money objects. The group reference is \1 on MariaDB (PCRE) and $1 on MySQL (ICU).
    const [{ version }] = (await queryRunner.query('SELECT VERSION() AS version')) as Array<{
      version: string;
    }>;
    const ref = (n: number): string => (/mariadb/i.test(version) ? `\\\\${n}` : `$${n}`);
    // The product's `currency` goes (first, where up put it, or before `priceRange`, where the app
    // renders it); the text stays as compact as JSON.stringify wrote it.
    const withoutCurrency = (column: string): string => `
      REGEXP_REPLACE(
        REGEXP_REPLACE(${column}, '^[{]"currency":"[A-Za-z]{3}",', '{'),
        ',"currency":"[A-Za-z]{3}"(?=,"priceRange":[{])', '')`;
    const objects = (column: string): string => `
      REGEXP_REPLACE(${withoutCurrency(column)},
        '"(price|compareAtPrice|min|max)":([0-9]+)',
        CONCAT('"${ref(1)}":{"amount":${ref(2)},"currency":', JSON_QUOTE(JSON_VALUE(${column}, '$.currency')), '}'))`;
    await queryRunner.query(`
      UPDATE \`storefront_products\`
         SET \`summary\` = ${objects('`summary`')},
             \`detail\` = ${objects('`detail`')}
       WHERE JSON_VALUE(\`summary\`, '$.currency') IS NOT NULL
    `);
  }
}
