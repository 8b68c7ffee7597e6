import { MigrationInterface, QueryRunner } from 'typeorm';
import { loadConfig } from '../../../libs/config/src';
import { StorefrontMapping } from '../../modules/catalog/storefront-mapping';
import { refreshStorefront } from '../../modules/catalog/storefront-projection';
import { StorefrontRepository } from '../../modules/catalog/storefront.repository';

/**
 * The storefront read model (storefront_products), filled for the catalog that exists: from here on
 * every write that changes a product's storefront entry rebuilds it in its own transaction.
 */

export class StorefrontReadModel1795496321313 implements MigrationInterface {
  name = 'StorefrontReadModel1795496321313';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`storefront_products\` (
                \`product_id\` char(36) NOT NULL,
                \`summary\` mediumtext NOT NULL,
                \`detail\` mediumtext NOT NULL,
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                PRIMARY KEY (\`product_id\`)
            ) ENGINE = InnoDB
        `);
    const products = (await queryRunner.query(`SELECT id FROM products WHERE status = 'active'`)) as Array<{
      id: string;
    }>;
    await refreshStorefront(
      queryRunner.manager,
      new StorefrontRepository(queryRunner.connection),
      new StorefrontMapping(loadConfig().catalog.currency),
      products.map((product) => product.id),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TABLE \`storefront_products\`
        `);
  }
}
