import { request } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
};
type Document = { info: { description?: string }; components: { schemas: Record<string, Schema> } };

/** Property names that hold money wherever they appear, in a response or a request. */
const MONEY_NAME =
  /^(amount|price|compareAtPrice|unitPrice|total|subtotal|discount|tax|shipping|shippingTax|rate|freeOver|minSubtotal|min|max)$|(Amount|Price|Total|Subtotal)$/;

/** The resources that carry money, each with the one `currency` of all its amounts. */
const MONEY_RESOURCES = [
  'ProductSummaryDto',
  'ProductDetailDto',
  'AdminProductDto',
  'ShippingMethodDto',
  'OfferedShippingMethodDto',
  'PromotionDto',
  'CartDto',
  'OrderDto',
  'OrderSummaryDto',
  'PaymentDto',
  'RefundDto',
];

/** Every schema object in the document, with a JSON-pointer-ish path. */
function* schemasIn(value: unknown, path = '#'): Generator<[string, Schema]> {
  if (!value || typeof value !== 'object') return;
  if (!Array.isArray(value)) yield [path, value];
  for (const [key, child] of Object.entries(value)) yield* schemasIn(child, `${path}/${key}`);
}

/**
 * Money violations in a document: a money-named property that is not an integer (an object, a
 * `$ref`, a number or a string), or an `{amount, currency}` object shape anywhere.
 */
function moneyCheck(document: Document): { violations: string[]; checked: string[] } {
  const resolve = (schema: Schema): Schema =>
    schema.$ref ? resolve(document.components.schemas[schema.$ref.split('/').pop()!] ?? {}) : schema;
  const isInteger = (schema: Schema): boolean => {
    const resolved = resolve(schema);
    const variants = resolved.anyOf ?? resolved.oneOf;
    if (variants) return variants.every((variant) => isInteger(variant) || resolve(variant).type === 'null');
    const types = Array.isArray(resolved.type) ? resolved.type : [resolved.type];
    return types.includes('integer') && types.every((type) => type === 'integer' || type === 'null');
  };
  const violations: string[] = [];
  const checked: string[] = [];
  for (const [path, schema] of schemasIn(document)) {
    const properties = schema.properties;
    if (!properties || typeof properties !== 'object' || path.endsWith('/properties')) continue;
    if ('amount' in properties && 'currency' in properties && Object.keys(properties).length <= 3)
      violations.push(`${path}: an {amount, currency} object`);
    for (const [name, property] of Object.entries(properties)) {
      if (!MONEY_NAME.test(name)) continue;
      checked.push(`${path.split('/').pop()}.${name}`);
      const value = resolve(property).type === 'array' ? resolve(property).items! : property;
      if (!isInteger(value)) violations.push(`${path}/properties/${name}: money that is not an integer`);
    }
  }
  return { violations, checked };
}
const moneyViolations = (document: Document): string[] => moneyCheck(document).violations;

describe('API documentation: one money shape', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let document: Document;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi();
    document = (await request<Document>(`${api.baseUrl}/docs-json`)).body;
  });
  afterAll(() => env.cleanup());

  it('every amount, in every request and response schema, is an integer; no {amount, currency} objects', () => {
    const { violations, checked } = moneyCheck(document);
    expect(violations).toEqual([]);
    // The walk really reaches the money of every resource, requests included.
    expect(checked).toEqual(
      expect.arrayContaining([
        'PriceRangeDto.min',
        'StorefrontVariantDto.price',
        'AdminVariantDto.compareAtPrice',
        'ShippingMethodDto.freeOver',
        'OfferedShippingMethodDto.rate',
        'PromotionDto.minSubtotal',
        'CartLineDto.unitPrice',
        'CartTotalsDto.total',
        'OrderTotalsDto.shippingTax',
        'OrderSummaryDto.total',
        'PaymentDto.capturedAmount',
        'RefundDto.amount',
        'CreateShippingMethodDto.rate',
        'CreateRefundDto.amount',
        'CreateVariantDto.price',
        'CreatePromotionDto.amount',
      ]),
    );
  });

  it('each resource that carries money has one ISO 4217 `currency`', () => {
    for (const name of MONEY_RESOURCES) {
      const schema = document.components.schemas[name];
      const properties = schema?.properties ?? schema?.allOf?.find((part) => part.properties)?.properties;
      expect({ name, currency: properties?.currency }).toEqual({
        name,
        currency: expect.objectContaining({ type: 'string' }),
      });
    }
  });

  it('the check catches the old shape: a money object put back fails it', () => {
    const broken = structuredClone(document);
    broken.components.schemas.MoneyDto = {
      type: 'object',
      properties: { amount: { type: 'integer' }, currency: { type: 'string' } },
    };
    broken.components.schemas.ShippingMethodDto.properties!.rate = { $ref: '#/components/schemas/MoneyDto' };
    expect(moneyViolations(broken).sort()).toEqual([
      '#/components/schemas/MoneyDto: an {amount, currency} object',
      '#/components/schemas/ShippingMethodDto/properties/rate: money that is not an integer',
    ]);
  });

  it('the API description states the money shape', () => {
    expect(document.info.description).toContain('**Money.**');
    expect(document.info.description).toContain('minor units');
  });
});
