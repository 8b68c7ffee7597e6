import { DomainError } from '@app/common';

export { StaleVersionError } from '@app/common';

export class ProductNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'product-not-found';
  readonly title = 'Product not found';
  constructor(idOrSlug: string) {
    super(`There is no product ${JSON.stringify(idOrSlug)}.`);
  }
}

export class VariantNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'variant-not-found';
  readonly title = 'Variant not found';
  constructor(id: string) {
    super(`The product has no variant ${JSON.stringify(id)}.`);
  }
}

export class CategoryNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'category-not-found';
  readonly title = 'Category not found';
  constructor(idOrSlug: string) {
    super(`There is no category ${JSON.stringify(idOrSlug)}.`);
  }
}

/** A request names categories that do not exist (the request is fine, its references are not). */
export class UnknownCategoriesError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'unknown-category';
  readonly title = 'Unknown category';
  constructor(ids: string[]) {
    super(`These categories do not exist: ${ids.join(', ')}.`, { categoryIds: ids });
  }
}

export class SlugTakenError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'slug-taken';
  readonly title = 'Slug already in use';
  constructor(slug: string) {
    super(`The slug ${JSON.stringify(slug)} is already used; choose another.`, { slug });
  }
}

export class SkuTakenError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'sku-taken';
  readonly title = 'SKU already in use';
  constructor(skus: string[]) {
    super(`These SKUs are already used or repeated: ${skus.join(', ')}.`, { skus });
  }
}

export class InvalidOptionValuesError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'invalid-option-values';
  readonly title = 'Option values do not match the product’s options';
  constructor(detail: string) {
    super(detail);
  }
}

export class CategoryCycleError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'category-cycle';
  readonly title = 'A category cannot move under itself';
  constructor() {
    super('The new parent is the category itself or one of its descendants.');
  }
}

export class CategoryNotEmptyError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'category-not-empty';
  readonly title = 'Category has subcategories';
  constructor() {
    super('Move or delete the subcategories first.');
  }
}

export class InvalidPriceError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'invalid-price';
  readonly title = 'Invalid price';
  constructor(detail: string) {
    super(detail);
  }
}
