import {
  Actor,
  ApiProblemResponses,
  Page,
  ParseOpaqueIdPipe,
  type RequestActor,
  RequirePermission,
  versionFromIfMatch,
  withVersionEtag,
} from '@app/common';
import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminProductsService } from './admin-products.service';
import { AdminVariantsService } from './admin-variants.service';
import {
  CreateProductDto,
  CreateVariantDto,
  ListAdminProductsQueryDto,
  UpdateProductDto,
  UpdateVariantDto,
} from '../dto/admin-product.dto';
import { AdminProductDto, AdminProductPageDto } from '../dto/product.response.dto';

const Id = (name: string) => Param(name, new ParseOpaqueIdPipe());
/** Staff responses carry the version as a weak ETag, for If-Match on the next write. */
@ApiTags('admin: catalog')
@Controller({ path: 'admin/products' })
export class AdminProductsController {
  constructor(
    private readonly products: AdminProductsService,
    private readonly variants: AdminVariantsService,
  ) {}

  @Get()
  @RequirePermission('catalog:write')
  @ApiOperation({ summary: 'List products of every status, newest first' })
  @ApiOkResponse({ type: AdminProductPageDto })
  @ApiProblemResponses(400, 401, 403, 422)
  list(@Query() query: ListAdminProductsQueryDto): Promise<Page<AdminProductDto>> {
    return this.products.list(query);
  }

  @Post()
  @RequirePermission('catalog:write')
  @ApiOperation({ summary: 'Create a product, optionally with variants (description HTML is sanitised)' })
  @ApiCreatedResponse({ type: AdminProductDto })
  @ApiProblemResponses(400, 401, 403, 409, 413, 422)
  async create(
    @Actor() actor: RequestActor,
    @Body() body: CreateProductDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AdminProductDto> {
    return withVersionEtag(reply, await this.products.create(actor, body));
  }

  @Get(':id')
  @RequirePermission('catalog:write')
  @ApiOperation({ summary: 'One product with all its variants' })
  @ApiOkResponse({ type: AdminProductDto })
  @ApiProblemResponses(400, 401, 403, 404)
  async get(@Id('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<AdminProductDto> {
    return withVersionEtag(reply, await this.products.get(id));
  }

  @Patch(':id')
  @RequirePermission('catalog:write')
  @ApiOperation({ summary: 'Change a product; `version` (or If-Match) must be the one you read' })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The ETag you read: 412 if the product changed since.',
  })
  @ApiOkResponse({ type: AdminProductDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 412, 413, 422)
  async update(
    @Actor() actor: RequestActor,
    @Id('id') id: string,
    @Body() body: UpdateProductDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AdminProductDto> {
    return withVersionEtag(reply, await this.products.update(actor, id, body, versionFromIfMatch(ifMatch)));
  }

  @Post(':id/archive')
  @HttpCode(200)
  @RequirePermission('catalog:write')
  @ApiOperation({ summary: 'Archive a product: hidden from the storefront, kept for orders and history' })
  @ApiOkResponse({ type: AdminProductDto })
  @ApiProblemResponses(400, 401, 403, 404)
  async archive(
    @Actor() actor: RequestActor,
    @Id('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AdminProductDto> {
    return withVersionEtag(reply, await this.products.archive(actor, id));
  }

  @Post(':id/variants')
  @RequirePermission('catalog:write')
  @ApiOperation({ summary: 'Add a variant to a product' })
  @ApiCreatedResponse({ type: AdminProductDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422)
  async addVariant(
    @Actor() actor: RequestActor,
    @Id('id') id: string,
    @Body() body: CreateVariantDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AdminProductDto> {
    return withVersionEtag(reply, await this.variants.add(actor, id, body));
  }

  @Patch(':id/variants/:variantId')
  @RequirePermission('catalog:write')
  @ApiOperation({ summary: 'Change a variant (price, SKU, options…); `version` must be the variant’s' })
  @ApiOkResponse({ type: AdminProductDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422)
  async updateVariant(
    @Actor() actor: RequestActor,
    @Id('id') id: string,
    @Id('variantId') variantId: string,
    @Body() body: UpdateVariantDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AdminProductDto> {
    return withVersionEtag(reply, await this.variants.update(actor, id, variantId, body));
  }

  @Post(':id/variants/:variantId/archive')
  @HttpCode(200)
  @RequirePermission('catalog:write')
  @ApiOperation({ summary: 'Archive a variant: no longer sold, kept for history' })
  @ApiOkResponse({ type: AdminProductDto })
  @ApiProblemResponses(400, 401, 403, 404)
  async archiveVariant(
    @Actor() actor: RequestActor,
    @Id('id') id: string,
    @Id('variantId') variantId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AdminProductDto> {
    return withVersionEtag(reply, await this.variants.archive(actor, id, variantId));
  }
}
