import { Public } from '@app/common';
import { request } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { Controller, Get, Module, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { CatalogCache } from '../../src/modules/catalog/cache/catalog.cache';
import { CatalogCoreModule } from '../../src/modules/catalog/catalog-core.module';
import { sendCached } from '../../src/modules/catalog/storefront/cached-response';
import { StorefrontCached } from '../../src/modules/catalog/storefront/storefront-cached.decorator';
import { StorefrontService } from '../../src/modules/catalog/storefront/storefront.service';
import { AuthClient, createUser } from '../support/auth-client';
import { CatalogAdmin } from '../support/catalog-client';

/** How often each probe handler ran: a request the hit path answered never reaches it. */
const handled = { renamed: 0, plain: 0 };

const PROBE_BODY = {
  description: 'A small cached JSON body',
  schema: { type: 'object', properties: { name: { type: 'string' } } },
};

/**
 * Storefront-style reads at paths no list names: what marks a route for the hit path is the
 * decorator on its handler, so a route renamed (or added) keeps it.
 */
@ApiTags('probe')
@Public()
@Controller('probe')
class StorefrontProbeController {
  constructor(private readonly cache: CatalogCache) {}

  @Get('renamed-storefront-read')
  @StorefrontCached()
  @ApiOperation({ summary: 'A cached read marked @StorefrontCached()' })
  @ApiOkResponse(PROBE_BODY)
  renamed(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    handled.renamed++;
    return this.answer('renamed', request, reply);
  }

  @Get('plain-read')
  @ApiOperation({ summary: 'The same cached read, not marked' })
  @ApiOkResponse(PROBE_BODY)
  plain(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    handled.plain++;
    return this.answer('plain', request, reply);
  }

  /** What StorefrontService does: read through the cache, remember the response for its URL. */
  private async answer(name: string, request: FastifyRequest, reply: FastifyReply): Promise<string> {
    const cached = await this.cache.read(`probe:${name}`, () => Promise.resolve(JSON.stringify({ name })));
    this.cache.rememberUrl(request.url, cached);
    return sendCached(request, reply, cached, 60);
  }
}

@Module({ imports: [CatalogCoreModule], controllers: [StorefrontProbeController] })
class StorefrontProbeModule {}

/** The hit path (StorefrontHitsService) serves exactly the routes marked @StorefrontCached(). */
describe('storefront hit path, driven by @StorefrontCached()', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let client: AuthClient;
  let admin: CatalogAdmin;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi([StorefrontProbeModule], { rateLimit: { max: 1_000_000 } });
    client = new AuthClient(api.baseUrl);
    const staff = await createUser(client, api.app.get(DataSource), { role: 'staff' });
    admin = new CatalogAdmin(client, staff.tokens.accessToken);
  }, 30_000);
  afterAll(() => env.cleanup());

  it('answers a repeated read of each storefront route before Nest (the service runs once)', async () => {
    const product = await admin.createProduct();
    const storefront = api.app.get(StorefrontService, { strict: false });
    const routes: Array<[string, keyof StorefrontService]> = [
      ['/v1/products?limit=3', 'list'],
      [`/v1/products/${product.slug}`, 'detail'],
      ['/v1/categories', 'categoryTree'],
    ];
    for (const [path, method] of routes) {
      const calls = jest.spyOn(storefront, method);
      const first = await client.get(path);
      const repeat = await client.get(path);
      const served = calls.mock.calls.length;
      calls.mockRestore();
      expect([path, first.status, repeat.status]).toEqual([path, 200, 200]);
      expect(repeat.text).toBe(first.text);
      // Once through Nest, then the hit path: a route that lost its decorator shows 2 here.
      expect([path, served]).toEqual([path, 1]);
    }
  });

  it('serves a marked route at any path, and leaves an unmarked one to Nest', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await request(`${api.baseUrl}/v1/probe/renamed-storefront-read`)).status).toBe(200);
      expect((await request(`${api.baseUrl}/v1/probe/plain-read`)).status).toBe(200);
    }
    expect(handled).toEqual({ renamed: 1, plain: 3 });
  });

  it('request logging reads the same mark: a marked route skips the per-request logger context', async () => {
    const contexts = jest.spyOn(PinoLogger.prototype, 'runInContext');
    try {
      await request(`${api.baseUrl}/v1/probe/renamed-storefront-read`);
      await request(`${api.baseUrl}/v1/categories`);
      expect(contexts).not.toHaveBeenCalled();
      await request(`${api.baseUrl}/v1/probe/plain-read`);
      expect(contexts).toHaveBeenCalledTimes(1);
    } finally {
      contexts.mockRestore();
    }
  });
});
