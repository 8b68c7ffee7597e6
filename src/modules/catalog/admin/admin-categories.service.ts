import { RequestActor } from '@app/common';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit';
import { CatalogChangesService } from '../storefront/catalog-changes.service';
import {
  CategoryCycleError,
  CategoryNotEmptyError,
  CategoryNotFoundError,
  SlugTakenError,
  StaleVersionError,
} from '../catalog.errors';
import { CategoriesRepository } from './categories.repository';
import type { CategoryDto, CreateCategoryDto, UpdateCategoryDto } from '../dto/category.dto';
import type { Category } from '../entities/category.entity';
import { slugify } from '../slug';
import { StorefrontProjectionService } from '../storefront/storefront-projection.service';

const toCategory = (category: Category): CategoryDto => ({
  id: category.id,
  slug: category.slug,
  name: category.name,
  parentId: category.parentId,
  position: category.position,
  version: category.version,
});

/** Staff writes to the category tree, audited; moving a category moves its whole subtree. */
@Injectable()
export class AdminCategoriesService {
  constructor(
    private readonly changes: CatalogChangesService,
    private readonly categories: CategoriesRepository,
    private readonly audit: AuditService,
    private readonly projection: StorefrontProjectionService,
  ) {}

  async list(): Promise<{ data: CategoryDto[] }> {
    return { data: (await this.categories.all()).map(toCategory) };
  }

  async create(actor: RequestActor, dto: CreateCategoryDto): Promise<CategoryDto> {
    const slug = dto.slug ?? slugify(dto.name);
    return this.changes.commit(async (manager) => {
      if (await this.categories.slugExists(manager, slug)) throw new SlugTakenError(slug);
      let parent: Category | null = null;
      if (dto.parentId) {
        parent = await this.categories.lockById(manager, dto.parentId);
        if (!parent) throw new CategoryNotFoundError(dto.parentId);
      }
      const category = await this.categories.insert(
        manager,
        { name: dto.name, slug, position: dto.position ?? 0 },
        parent,
      );
      await this.audit.record(manager, actor, {
        action: 'category.created',
        target: { type: 'category', id: category.id },
        details: { slug, parentId: parent?.id ?? null },
      });
      return toCategory(category);
    });
  }

  async update(actor: RequestActor, id: string, dto: UpdateCategoryDto): Promise<CategoryDto> {
    const { version, ...fields } = dto;
    return this.changes.commit(async (manager) => {
      const category = await this.categories.lockById(manager, id);
      if (!category) throw new CategoryNotFoundError(id);
      if (category.version !== version)
        throw new StaleVersionError('category', version, category.version, false);
      if (fields.slug !== undefined && fields.slug !== category.slug) {
        if (await this.categories.slugExists(manager, fields.slug, id)) throw new SlugTakenError(fields.slug);
      }
      if (fields.parentId !== undefined && fields.parentId !== category.parentId) {
        let newPath = `/${id}/`;
        if (fields.parentId !== null) {
          const parent = await this.categories.lockById(manager, fields.parentId);
          if (!parent) throw new CategoryNotFoundError(fields.parentId);
          if (parent.path.startsWith(category.path)) throw new CategoryCycleError();
          newPath = `${parent.path}${id}/`;
        }
        await this.categories.rewritePaths(manager, category.path, newPath);
      }
      await this.categories.update(manager, id, fields);
      // Product pages name their categories: a new name or slug is a new page.
      if (fields.name !== undefined || fields.slug !== undefined)
        await this.projection.refreshCategory(manager, id);
      await this.audit.record(manager, actor, {
        action: 'category.updated',
        target: { type: 'category', id },
        details: { fields: Object.keys(fields), fromVersion: category.version },
      });
      const updated = await this.categories.findById(manager, id);
      return toCategory(updated!);
    });
  }

  async remove(actor: RequestActor, id: string): Promise<void> {
    await this.changes.commit(async (manager) => {
      const category = await this.categories.lockById(manager, id);
      if (!category) throw new CategoryNotFoundError(id);
      if (await this.categories.hasChildren(manager, id)) throw new CategoryNotEmptyError();
      const linked = await this.projection.productIdsInCategory(manager, id);
      await this.categories.delete(manager, id);
      await this.projection.refresh(manager, linked);
      await this.audit.record(manager, actor, {
        action: 'category.deleted',
        target: { type: 'category', id },
        details: { slug: category.slug },
      });
    });
  }
}
