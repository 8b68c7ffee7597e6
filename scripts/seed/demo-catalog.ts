// Builds the rows of the demo catalog in memory, deterministically: the same seed and product count
// give the same rows, ids and timestamps included. No I/O here; seed-catalog.ts writes the rows.
import type {
  ProductImage,
  ProductOption,
  ProductStatus,
} from '../../src/modules/catalog/entities/product.entity';
import { buildSearchText, sanitizeDescription } from '../../src/modules/catalog/rich-text';
import { SeededRandom } from './random';
import {
  ADJECTIVES,
  CATEGORY_TREE,
  CategoryNode,
  CLOSINGS,
  Family,
  FAMILIES,
  IMAGE_VIEWS,
  INTROS,
  OptionSpec,
  ORIGINS,
} from './vocabulary';

/**
 * Every seeded row is stamped from one clock that starts here and advances 1 ms per row, so ids
 * (UUIDv7, time first) and created_at follow creation order and do not depend on when the seed ran.
 */
export const SEED_BASE_TIME = Date.UTC(2025, 0, 1);

export const PRICE_MIN = 500;
export const PRICE_MAX = 25_000;
export const MAX_VARIANTS_PER_PRODUCT = 6;
export const SEED_MOVEMENT = {
  reason: 'received',
  actor: 'system',
  reference: 'seed',
  note: 'demo catalog',
} as const;

export interface LocationRow {
  id: string;
  code: string;
  name: string;
  priority: number;
  createdAt: string;
}
export interface CategoryRow {
  id: string;
  parentId: string | null;
  slug: string;
  name: string;
  position: number;
  path: string;
  createdAt: string;
}
export interface ProductRow {
  id: string;
  slug: string;
  title: string;
  description: string;
  searchText: string;
  status: ProductStatus;
  attributes: Record<string, string>;
  options: ProductOption[];
  images: ProductImage[];
  minPrice: number;
  maxPrice: number;
  createdAt: string;
}
export interface ProductCategoryRow {
  productId: string;
  categoryId: string;
}
export interface VariantRow {
  id: string;
  productId: string;
  sku: string;
  title: string;
  optionValues: Record<string, string>;
  price: number;
  compareAtPrice: number | null;
  weightGrams: number;
  barcode: string;
  position: number;
  lowStockThreshold: number | null;
  createdAt: string;
}
export interface OptionValueRow {
  variantId: string;
  name: string;
  value: string;
}
export interface LevelRow {
  variantId: string;
  locationId: string;
  onHand: number;
  updatedAt: string;
}
export interface MovementRow {
  id: number;
  variantId: string;
  locationId: string;
  onHandDelta: number;
  createdAt: string;
}

export interface DemoCatalog {
  locations: LocationRow[];
  categories: CategoryRow[];
  products: ProductRow[];
  productCategories: ProductCategoryRow[];
  variants: VariantRow[];
  optionValues: OptionValueRow[];
  levels: LevelRow[];
  movements: MovementRow[];
}

interface Leaf {
  category: CategoryRow;
  family: Family;
  familyName: string;
  nouns: readonly string[];
}

/** `2025-01-01 00:00:00.000`: what a datetime(3) column takes, independent of the session time zone. */
const toDatetime = (unixMs: number): string => new Date(unixMs).toISOString().replace('T', ' ').slice(0, 23);

/** Lower-case ASCII words joined by hyphens: `Home & Living` → `home-and-living`. */
export function kebab(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/&/g, ' and ')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The part of a SKU that stands for an option value: `sky blue` → `SKYBLUE`, `20 cm` → `20CM`. */
const skuCode = (value: string): string => value.toUpperCase().replace(/[^A-Z0-9]/g, '');

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Shop prices: whole units ending in .00, .50, .95 or .99, within the demo range. */
function shopPrice(random: SeededRandom, amount: number): number {
  const cents = random.pick([0, 0, 50, 95, 99]);
  return Math.min(PRICE_MAX, Math.max(PRICE_MIN, Math.floor(amount / 100) * 100 + cents));
}

/** A 13-digit EAN in the in-store range (prefix 20) with a valid check digit. */
function barcode(random: SeededRandom): string {
  let digits = '20';
  for (let i = 0; i < 10; i++) digits += String(random.int(0, 9));
  const sum = [...digits].reduce(
    (total, digit, index) => total + Number(digit) * (index % 2 === 0 ? 1 : 3),
    0,
  );
  return digits + String((10 - (sum % 10)) % 10);
}

const emptyCatalog = (): DemoCatalog => ({
  locations: [],
  categories: [],
  products: [],
  productCategories: [],
  variants: [],
  optionValues: [],
  levels: [],
  movements: [],
});

class CatalogBuilder {
  private clock = SEED_BASE_TIME;
  private productNumber = 0;
  private movementId = 0;
  /** The rows built since the last `take()`. */
  private catalog = emptyCatalog();
  private readonly locations: LocationRow[] = [];
  private readonly categoriesById = new Map<string, CategoryRow>();
  private readonly leaves: Leaf[] = [];
  private readonly leavesByFamily = new Map<string, Leaf[]>();
  private readonly titles = new Set<string>();
  private readonly slugs = new Set<string>();

  constructor(private readonly random: SeededRandom) {}

  /** The time of the next row (1 ms after the previous one). */
  private tick(): number {
    return this.clock++;
  }

  /** The stock locations and the category tree. */
  addStructure(): void {
    this.addLocations();
    CATEGORY_TREE.forEach((node, position) => this.addCategory(node, null, position));
  }

  addProducts(count: number): void {
    for (let i = 0; i < count; i++) this.addProduct(++this.productNumber);
  }

  /** The rows built since the last call. */
  take(): DemoCatalog {
    const built = this.catalog;
    this.catalog = emptyCatalog();
    return built;
  }

  private addLocations(): void {
    const locations = [
      { code: 'main', name: 'Main warehouse', priority: 0 },
      { code: 'outlet', name: 'Outlet store', priority: 1 },
    ];
    for (const location of locations) {
      const time = this.tick();
      const row = { id: this.random.uuidV7(time), ...location, createdAt: toDatetime(time) };
      this.locations.push(row);
      this.catalog.locations.push(row);
    }
  }

  private addCategory(node: CategoryNode, parent: CategoryRow | null, position: number): void {
    const time = this.tick();
    const id = this.random.uuidV7(time);
    const slug = parent ? `${parent.slug}-${kebab(node.name)}` : kebab(node.name);
    if (this.slugs.has(`category:${slug}`)) throw new Error(`Duplicate category slug ${slug}`);
    this.slugs.add(`category:${slug}`);
    const category: CategoryRow = {
      id,
      parentId: parent?.id ?? null,
      slug,
      name: node.name,
      position,
      path: `${parent?.path ?? '/'}${id}/`,
      createdAt: toDatetime(time),
    };
    this.catalog.categories.push(category);
    this.categoriesById.set(id, category);
    node.children?.forEach((child, childPosition) => this.addCategory(child, category, childPosition));
    if (node.family && node.nouns) {
      const leaf: Leaf = {
        category,
        family: FAMILIES[node.family],
        familyName: node.family,
        nouns: node.nouns,
      };
      this.leaves.push(leaf);
      this.leavesByFamily.set(node.family, [...(this.leavesByFamily.get(node.family) ?? []), leaf]);
    }
  }

  /** A title not used yet if one turns up within a few tries; duplicates then get a slug suffix. */
  private title(leaf: Leaf): { title: string; material: string } {
    let candidate = { title: '', material: '' };
    for (let attempt = 0; attempt < 6; attempt++) {
      const material = this.random.pick(leaf.family.materials);
      const title = `${this.random.pick(ADJECTIVES)} ${material} ${this.random.pick(leaf.nouns)}`;
      candidate = { title, material };
      if (!this.titles.has(title)) break;
    }
    this.titles.add(candidate.title);
    return candidate;
  }

  private slug(title: string): string {
    const base = kebab(title).slice(0, 110).replace(/-+$/, '');
    let slug = base;
    for (let n = 2; this.slugs.has(slug); n++) slug = `${base}-${n}`;
    this.slugs.add(slug);
    return slug;
  }

  private options(family: Family): ProductOption[] {
    const chosen = family.options
      .filter((spec) => spec.probability === undefined || this.random.chance(spec.probability))
      .map((spec) => ({
        spec,
        count: this.random.int(spec.count[0], Math.min(spec.count[1], spec.values.length)),
      }));
    // At most MAX_VARIANTS_PER_PRODUCT combinations: trim the option offering the most values.
    const combinations = () => chosen.reduce((total, option) => total * option.count, 1);
    while (combinations() > MAX_VARIANTS_PER_PRODUCT) {
      const widest = chosen.reduce((a, b) => (b.count > a.count ? b : a));
      widest.count--;
    }
    return chosen.map(({ spec, count }) => ({ name: spec.name, values: this.optionValues(spec, count) }));
  }

  private optionValues(spec: OptionSpec, count: number): string[] {
    if (!spec.contiguous) return this.random.sample(spec.values, count);
    const start = this.random.int(0, spec.values.length - count);
    return spec.values.slice(start, start + count);
  }

  private description(title: string, material: string, family: Family, origin: string, care: string): string {
    const features = this.random.sample(
      family.features,
      Math.min(family.features.length, this.random.int(2, 3)),
    );
    // Line breaks between blocks: buildSearchText drops the tags, and the words must stay apart.
    const intro = this.random.pick(INTROS);
    const html = [
      `<p><strong>${escapeHtml(title)}</strong>: ${intro}.</p>`,
      '<ul>',
      ...features.map((feature) => `<li>${escapeHtml(feature)}</li>`),
      `<li>${escapeHtml(material)}, made in ${escapeHtml(origin)}</li>`,
      '</ul>',
      `<p><strong>Care:</strong> ${escapeHtml(care)} ${this.random.pick(CLOSINGS)}</p>`,
    ].join('\n');
    return sanitizeDescription(html);
  }

  private status(): ProductStatus {
    const roll = this.random.float();
    if (roll < 0.95) return 'active';
    return roll < 0.98 ? 'draft' : 'archived';
  }

  private addProduct(number: number): void {
    const random = this.random;
    const leaf = random.pick(this.leaves);
    const family = leaf.family;
    const time = this.tick();
    const id = random.uuidV7(time);
    const { title, material } = this.title(leaf);
    const slug = this.slug(title);
    const origin = random.pick(ORIGINS);
    const care = random.pick(family.care);
    const attributes = { material: material.toLowerCase(), care, origin };
    const description = this.description(title, material, family, origin, care);
    const options = this.options(family);
    const images = IMAGE_VIEWS.slice(0, random.int(1, IMAGE_VIEWS.length)).map((view, index) => ({
      url: `https://images.example.com/${slug}-${index + 1}.jpg`,
      alt: `${title}, ${view}`,
    }));
    const product: ProductRow = {
      id,
      slug,
      title,
      description,
      searchText: buildSearchText(description, attributes),
      status: this.status(),
      attributes,
      options,
      images,
      minPrice: 0,
      maxPrice: 0,
      createdAt: toDatetime(time),
    };
    this.catalog.products.push(product);
    this.addCategoryLinks(product, leaf);

    const basePrice = random.int(family.price[0], family.price[1]);
    const discount = random.chance(0.15) ? random.int(10, 40) / 100 : null;
    const baseWeight = random.int(family.weightGrams[0], family.weightGrams[1]);
    const prices = this.addVariants(product, number, family, basePrice, discount, baseWeight);
    product.minPrice = Math.min(...prices);
    product.maxPrice = Math.max(...prices);
  }

  private addCategoryLinks(product: ProductRow, leaf: Leaf): void {
    const linked = [leaf.category];
    const links = this.random.pick([1, 1, 1, 2, 2, 3]);
    const siblings = (this.leavesByFamily.get(leaf.familyName) ?? []).filter((other) => other !== leaf);
    const parent = leaf.category.parentId ? this.categoriesById.get(leaf.category.parentId) : undefined;
    // Mostly leaves: a second leaf of the same kind (unisex jackets), now and then the parent itself.
    for (let i = 1; i < links; i++) {
      const extra =
        siblings.length > 0 && this.random.chance(0.8)
          ? this.random.pick(siblings).category
          : (parent ?? null);
      if (extra && !linked.includes(extra)) linked.push(extra);
    }
    for (const category of linked)
      this.catalog.productCategories.push({ productId: product.id, categoryId: category.id });
  }

  /** Every combination of the product's option values (one variant when it has none); returns the prices. */
  private addVariants(
    product: ProductRow,
    number: number,
    family: Family,
    basePrice: number,
    discount: number | null,
    baseWeight: number,
  ): number[] {
    const random = this.random;
    let combinations: Array<Array<{ name: string; value: string; step: number }>> = [[]];
    for (const option of product.options) {
      const spec = family.options.find((candidate) => candidate.name === option.name);
      combinations = combinations.flatMap((combination) =>
        option.values.map((value) => [
          ...combination,
          { name: option.name, value, step: (spec?.priceStep ?? 0) * (spec?.values.indexOf(value) ?? 0) },
        ]),
      );
    }
    const skuBase = `SK-${String(number).padStart(6, '0')}`;
    return combinations.map((combination, position) => {
      const time = this.tick();
      const id = random.uuidV7(time);
      const steps = combination.reduce((total, part) => total + part.step, 0);
      const price = shopPrice(random, basePrice * (1 + steps));
      let compareAtPrice: number | null = null;
      if (discount !== null) {
        compareAtPrice = Math.floor(price / (1 - discount) / 100) * 100 + 99;
        if (compareAtPrice <= price) compareAtPrice = price + 100;
      }
      const optionValues = Object.fromEntries(combination.map((part) => [part.name, part.value]));
      this.catalog.variants.push({
        id,
        productId: product.id,
        sku: [skuBase, ...combination.map((part) => skuCode(part.value))].join('-'),
        title: combination.length > 0 ? combination.map((part) => part.value).join(' / ') : 'Default',
        optionValues,
        price,
        compareAtPrice,
        weightGrams: Math.round(baseWeight * (1 + steps / 2)),
        barcode: barcode(random),
        position,
        lowStockThreshold: random.chance(0.3) ? 5 : null,
        createdAt: toDatetime(time),
      });
      for (const part of combination)
        this.catalog.optionValues.push({ variantId: id, name: part.name, value: part.value });
      this.addStock(id);
      return price;
    });
  }

  /** Stock at the main warehouse (mostly), the outlet (sometimes), at least one; each received once. */
  private addStock(variantId: string): void {
    const [main, outlet] = this.locations;
    const atMain = this.random.chance(0.9);
    const atOutlet = this.random.chance(0.35) || !atMain;
    for (const location of [atMain ? main : null, atOutlet ? outlet : null]) {
      if (!location) continue;
      const onHand = this.random.chance(0.1) ? 0 : this.random.int(1, 50);
      const time = toDatetime(this.tick());
      this.catalog.levels.push({ variantId, locationId: location.id, onHand, updatedAt: time });
      if (onHand > 0) {
        this.catalog.movements.push({
          id: ++this.movementId,
          variantId,
          locationId: location.id,
          onHandDelta: onHand,
          createdAt: time,
        });
      }
    }
  }
}

/**
 * The demo catalog for `seed` and `productCount`, in parts of at most `productsPerPart` products
 * (the first part also holds the locations and categories), so memory stays flat however large the
 * catalog. The same arguments give the same rows; the first N products are the same whatever the
 * total.
 */
export function* demoCatalogParts(
  productCount: number,
  seed: number,
  productsPerPart = 1_000,
): Generator<DemoCatalog> {
  const builder = new CatalogBuilder(new SeededRandom(seed));
  builder.addStructure();
  let remaining = productCount;
  do {
    const count = Math.min(remaining, productsPerPart);
    builder.addProducts(count);
    remaining -= count;
    yield builder.take();
  } while (remaining > 0);
}
