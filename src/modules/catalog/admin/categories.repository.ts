import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { Category } from '../entities/category.entity';
import { ProductCategory } from '../entities/product-category.entity';

/** The category tree's SQL. Paths are materialised: `/<root>/.../<self>/`. */
@Injectable()
export class CategoriesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    category: Pick<Category, 'name' | 'slug' | 'position'>,
    parent: Category | null,
  ): Promise<Category> {
    const id = uuidv7();
    await manager.insert(Category, {
      id,
      ...category,
      parentId: parent?.id ?? null,
      path: `${parent?.path ?? '/'}${id}/`,
    });
    return manager.findOneByOrFail(Category, { id });
  }

  lockById(manager: EntityManager, id: string): Promise<Category | null> {
    return manager.findOne(Category, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findById(manager: EntityManager, id: string): Promise<Category | null> {
    return manager.findOneBy(Category, { id });
  }

  slugExists(manager: EntityManager, slug: string, exceptId?: string): Promise<boolean> {
    const query = manager.createQueryBuilder(Category, 'c').where('c.slug = :slug', { slug });
    if (exceptId) query.andWhere('c.id <> :exceptId', { exceptId });
    return query.getExists();
  }

  async existingIds(manager: EntityManager, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await manager.find(Category, { select: { id: true }, where: { id: In(ids) } });
    return rows.map((row) => row.id);
  }

  async update(
    manager: EntityManager,
    id: string,
    changes: Partial<Pick<Category, 'name' | 'slug' | 'position' | 'parentId'>>,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(Category)
      .set({ ...changes, version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
  }

  /** Moves a subtree: every path under `oldPrefix` now starts with `newPrefix`. */
  async rewritePaths(manager: EntityManager, oldPrefix: string, newPrefix: string): Promise<void> {
    await manager.query('UPDATE categories SET path = CONCAT(?, SUBSTRING(path, ?)) WHERE path LIKE ?', [
      newPrefix,
      oldPrefix.length + 1,
      `${oldPrefix}%`,
    ]);
  }

  hasChildren(manager: EntityManager, id: string): Promise<boolean> {
    return manager.createQueryBuilder(Category, 'c').where('c.parent_id = :id', { id }).getExists();
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(ProductCategory, { categoryId: id });
    await manager.delete(Category, { id });
  }

  all(manager: EntityManager = this.dataSource.manager): Promise<Category[]> {
    return manager.find(Category, { order: { position: 'ASC', name: 'ASC' } });
  }
}
