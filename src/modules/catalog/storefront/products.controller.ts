import { ApiProblemResponses, Public } from '@app/common';
import { AppConfig } from '@app/config';
import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiNotModifiedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendCached } from './cached-response';
import { CategoryTreeDto } from '../dto/category.dto';
import { ListProductsQueryDto } from '../dto/list-products.query.dto';
import { ProductDetailDto, ProductPageDto } from '../dto/product.response.dto';
import { StorefrontCached } from './storefront-cached.decorator';
import { StorefrontService } from './storefront.service';

const IF_NONE_MATCH = ApiHeader({
  name: 'If-None-Match',
  required: false,
  description: 'An ETag from an earlier response: 304 if unchanged.',
});

@ApiTags('storefront: catalog')
/** The storefront's public reads: each is `@StorefrontCached()` (the hit path may repeat it). */
@Controller()
export class ProductsController {
  constructor(
    private readonly storefront: StorefrontService,
    private readonly config: AppConfig,
  ) {}

  @Get('products')
  @Public()
  @StorefrontCached()
  @ApiOperation({ summary: 'Search and browse active products (full-text, filters, sort, cursor pages)' })
  @IF_NONE_MATCH
  @ApiOkResponse({ type: ProductPageDto })
  @ApiNotModifiedResponse({ description: 'The ETag in If-None-Match is current' })
  @ApiProblemResponses(400, 422, 429)
  async list(
    @Query() query: ListProductsQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendCached(
      request,
      reply,
      await this.storefront.list(query, request.url),
      this.config.catalog.httpMaxAgeSeconds,
    );
  }

  @Get('products/:idOrSlug')
  @Public()
  @StorefrontCached()
  @ApiOperation({ summary: 'One active product by id or slug, with variants and availability' })
  @IF_NONE_MATCH
  @ApiOkResponse({ type: ProductDetailDto })
  @ApiNotModifiedResponse({ description: 'The ETag in If-None-Match is current' })
  @ApiProblemResponses(404, 429)
  async detail(
    @Param('idOrSlug') idOrSlug: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendCached(
      request,
      reply,
      await this.storefront.detail(idOrSlug, request.url),
      this.config.catalog.httpMaxAgeSeconds,
    );
  }

  @Get('categories')
  @Public()
  @StorefrontCached()
  @ApiOperation({ summary: 'The category tree' })
  @IF_NONE_MATCH
  @ApiOkResponse({ type: CategoryTreeDto })
  @ApiNotModifiedResponse({ description: 'The ETag in If-None-Match is current' })
  @ApiProblemResponses(429)
  async categories(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendCached(
      request,
      reply,
      await this.storefront.categoryTree(request.url),
      this.config.catalog.httpMaxAgeSeconds,
    );
  }
}
