/**
 * The storefront's search index (product_search_terms): every prefix (3 to 32 characters) of every word
 * of each visible product's title and search text, with the product's rank and price range, in rank
 * order: a search reads its term's best-ranked rows that pass the price bounds and stops at the page's
 * end, instead of InnoDB FULLTEXT (about 2.7 ms of server CPU per search on the demo catalog).
 * Filled here for the catalog that exists; from here on it is rewritten with each storefront entry. The
 * FULLTEXT indexes nothing reads any more go.
 *
 * Frozen: the word rules and ranks below are the app's when this was written, copied so that what this
 * migration writes never changes with the app's code.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

const BATCH = 500;
const STOPWORDS = new Set(
  'a about an are as at be by com de en for from how i in is it la of on or that the this to was what when where who will with und www'.split(
    ' ',
  ),
);
const FOLDS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ł: 'l', ı: 'i' };
const FOLDABLE = new RegExp(`[${Object.keys(FOLDS).join('')}]`, 'gu');

function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]+/g, '')
    .toLowerCase()
    .replace(FOLDABLE, (letter) => FOLDS[letter])
    .normalize('NFC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => [...word].length >= 3 && [...word].length <= 84 && !STOPWORDS.has(word));
}

function terms(title: string, searchText: string): Map<string, number> {
  const specificity = 999 - Math.min([...title].length, 999);
  const found = new Map<string, number>();
  for (const [text, bonus] of [
    [title, 1000],
    [searchText, 0],
  ] as const) {
    for (const word of new Set(words(text))) {
      const characters = [...word];
      for (let length = 3; length <= Math.min(characters.length, 32); length++) {
        const term = characters.slice(0, length).join('');
        if (!found.has(term)) found.set(term, bonus + specificity);
      }
    }
  }
  return found;
}

export class StorefrontSearchTerms1798500000001 implements MigrationInterface {
  name = 'StorefrontSearchTerms1798500000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE \`product_search_terms\` (
        \`product_id\` char(36) NOT NULL,
        \`term\` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        \`relevance\` smallint UNSIGNED NOT NULL,
        \`min_price\` int UNSIGNED NOT NULL,
        \`max_price\` int UNSIGNED NOT NULL,
        \`stamp\` int UNSIGNED NOT NULL,
        INDEX \`ix_product_search_terms_product\` (\`product_id\`, \`stamp\`),
        PRIMARY KEY (\`term\`, \`relevance\`, \`product_id\`)
      ) ENGINE = InnoDB
    `);
    const products = (await queryRunner.query(
      `SELECT product_id AS id FROM storefront_products ORDER BY product_id`,
    )) as Array<{ id: string }>;
    for (let start = 0; start < products.length; start += BATCH) {
      const ids = products.slice(start, start + BATCH).map((product) => product.id);
      const rows = (await queryRunner.query(
        'SELECT id, title, search_text, min_price, max_price FROM products WHERE id IN (?)',
        [ids],
      )) as Array<{ id: string; title: string; search_text: string; min_price: number; max_price: number }>;
      const values = rows.flatMap((row) =>
        [...terms(row.title, row.search_text)].map(([term, relevance]) => [
          row.id,
          term,
          relevance,
          row.min_price,
          row.max_price,
          0,
        ]),
      );
      for (let from = 0; from < values.length; from += 5_000)
        await queryRunner.query(
          'INSERT INTO product_search_terms (product_id, term, relevance, min_price, max_price, stamp) VALUES ?',
          [values.slice(from, from + 5_000)],
        );
    }
    await queryRunner.query(
      'ALTER TABLE `products` DROP INDEX `ft_products_search`, DROP INDEX `ft_products_title`',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE FULLTEXT INDEX `ft_products_title` ON `products` (`title`)');
    await queryRunner.query(
      'CREATE FULLTEXT INDEX `ft_products_search` ON `products` (`title`, `search_text`)',
    );
    await queryRunner.query('DROP TABLE `product_search_terms`');
  }
}
