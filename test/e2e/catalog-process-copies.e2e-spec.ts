import { buildDataSourceOptions } from '@app/database';
import { DataSource } from 'typeorm';
import { ApiReplicas } from '../support/api-replicas';
import { AuthClient, createUser } from '../support/auth-client';
import { CatalogAdmin, type AdminProduct } from '../support/catalog-client';
import { RedisProxy } from '../support/redis-proxy';
import { TestEnvironment } from '../support/test-environment';
import { waitFor } from '../support/wait-for';

interface Detail {
  id: string;
  variants: Array<{ id: string; price: number }>;
}

/** In the invalidation link's connection name (InvalidationLink names it `<prefix>:invalidations:<pid>`). */
const LINK = 'invalidations';
/** DESIGN.md, Processes: what one replica changes, every other one serves within this. */
const PROPAGATION_BUDGET_MS = 100;

/**
 * The storefront's process copies (catalog generation, responses; CatalogCache) across two real API
 * processes: A talks to Redis directly, B through a proxy that can cut B's invalidation link alone.
 */
describe('catalog: process copies of the storefront cache, two API processes', () => {
  let env: TestEnvironment;
  let proxy: RedisProxy;
  let replicas: ApiReplicas;
  let db: DataSource;
  let admin: CatalogAdmin;
  let clientB: AuthClient;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    proxy = await RedisProxy.start({ host: env.config.redis.host, port: env.config.redis.port });
    const limit = { RATE_LIMIT_MAX: '1000000' };
    replicas = await ApiReplicas.start(env, 2, [limit, { ...limit, REDIS_PORT: String(proxy.port) }]);
    const [a, b] = replicas.apis;
    db = await new DataSource(buildDataSourceOptions(env.config.database)).initialize();
    const clientA = new AuthClient(a.baseUrl);
    clientB = new AuthClient(b.baseUrl);
    const staff = await createUser(clientA, db, { role: 'staff' });
    admin = new CatalogAdmin(clientA, staff.tokens.accessToken);
  }, 240_000);

  afterAll(async () => {
    await replicas?.stop();
    await proxy?.stop();
    await db?.destroy();
    await env?.cleanup();
  }, 60_000);

  /** B's price for the product's first variant. */
  const priceAtB = async (path: string): Promise<number | undefined> => {
    const response = await clientB.get<Detail>(path);
    expect(response.status).toBe(200);
    return response.body.variants[0].price;
  };

  /** Until B answers `path` from its process copy: a read that asks Redis nothing about the catalog. */
  const untilServedFromCopy = (path: string) =>
    waitFor(
      async () => {
        await priceAtB(path);
        proxy.takeSentByOthers(LINK);
        await priceAtB(path);
        return !proxy.takeSentByOthers(LINK).includes('catalog:');
      },
      15_000,
      `B to answer ${path} from its process copy`,
    );

  const changePrice = async (product: AdminProduct, price: number, version: number): Promise<number> => {
    const updated = await admin.send<AdminProduct>(
      'PATCH',
      `/v1/admin/products/${product.id}/variants/${product.variants[0].id}`,
      { price, version },
    );
    expect(updated.status).toBe(200);
    return updated.body.variants[0].version;
  };

  it(`a price changed through A is what B serves within ${PROPAGATION_BUDGET_MS} ms, B's copy warm before each change`, async () => {
    const product = await admin.createProduct();
    const path = `/v1/products/${product.slug}`;
    let version = product.variants[0].version;
    for (let price = 4000; price < 4010; price++) {
      await untilServedFromCopy(path);
      version = await changePrice(product, price, version);
      const changed = Date.now();
      let seen = await priceAtB(path);
      while (seen !== price && Date.now() - changed < PROPAGATION_BUDGET_MS) seen = await priceAtB(path);
      expect([price, seen]).toEqual([price, price]);
    }
  });

  it('B drops its copy when its invalidation link is lost, and keeps nothing until the link is back', async () => {
    const product = await admin.createProduct();
    const path = `/v1/products/${product.slug}`;
    await untilServedFromCopy(path);
    proxy.cut(LINK);
    // A change B is never told about: Redis reports it to a link that is gone.
    await changePrice(product, 4321, product.variants[0].version);
    expect(await priceAtB(path)).toBe(4321);
    // Without the link every read asks Redis for the generation again.
    proxy.takeSentByOthers(LINK);
    await priceAtB(path);
    expect(proxy.takeSentByOthers(LINK)).toContain('catalog:gen');
    proxy.admit();
    await untilServedFromCopy(path);
    expect(await priceAtB(path)).toBe(4321);
  });
});
