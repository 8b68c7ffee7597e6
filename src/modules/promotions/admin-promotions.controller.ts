import {
  Actor,
  ApiProblemResponses,
  type Page,
  ParseOpaqueIdPipe,
  type RequestActor,
  RequirePermission,
  versionFromIfMatch,
  withVersionEtag,
} from '@app/common';
import { Body, Controller, Delete, Get, Headers, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminPromotionsService } from './admin-promotions.service';
import { CreatePromotionDto, ListPromotionsQueryDto, UpdatePromotionDto } from './dto/promotion.dto';
import { PromotionDto, PromotionPageDto } from './dto/promotion.response.dto';

const Id = () => Param('id', new ParseOpaqueIdPipe());
/** Staff responses carry the version as a weak ETag, for If-Match on the next write. */
@ApiTags('admin: promotions')
@Controller({ path: 'admin/promotions' })
export class AdminPromotionsController {
  constructor(private readonly promotions: AdminPromotionsService) {}

  @Get()
  @RequirePermission('promotions:manage')
  @ApiOperation({ summary: 'List promotions, newest first (filter by code prefix and active)' })
  @ApiOkResponse({ type: PromotionPageDto })
  @ApiProblemResponses(400, 401, 403, 422)
  list(@Query() query: ListPromotionsQueryDto): Promise<Page<PromotionDto>> {
    return this.promotions.list(query);
  }

  @Post()
  @RequirePermission('promotions:manage')
  @ApiOperation({ summary: 'Create a discount code (percentage, fixed amount or free shipping)' })
  @ApiCreatedResponse({ type: PromotionDto })
  @ApiProblemResponses(400, 401, 403, 409)
  async create(
    @Actor() actor: RequestActor,
    @Body() body: CreatePromotionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PromotionDto> {
    return withVersionEtag(reply, await this.promotions.create(actor, body));
  }

  @Get(':id')
  @RequirePermission('promotions:manage')
  @ApiOperation({ summary: 'One promotion with its uses so far and the uses left' })
  @ApiOkResponse({ type: PromotionDto })
  @ApiProblemResponses(400, 401, 403, 404)
  async get(@Id() id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<PromotionDto> {
    return withVersionEtag(reply, await this.promotions.get(id));
  }

  @Patch(':id')
  @RequirePermission('promotions:manage')
  @ApiOperation({ summary: 'Change a promotion; `version` (or If-Match) must be the one you read' })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The ETag you read: 412 if the promotion changed since.',
  })
  @ApiOkResponse({ type: PromotionDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 412)
  async update(
    @Actor() actor: RequestActor,
    @Id() id: string,
    @Body() body: UpdatePromotionDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PromotionDto> {
    return withVersionEtag(reply, await this.promotions.update(actor, id, body, versionFromIfMatch(ifMatch)));
  }

  @Delete(':id')
  @RequirePermission('promotions:manage')
  @ApiOperation({
    summary: 'Deactivate a promotion (kept with its redemptions; PATCH active=true turns it back on)',
  })
  @ApiOkResponse({ type: PromotionDto })
  @ApiProblemResponses(400, 401, 403, 404)
  async deactivate(
    @Actor() actor: RequestActor,
    @Id() id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PromotionDto> {
    return withVersionEtag(reply, await this.promotions.deactivate(actor, id));
  }
}
