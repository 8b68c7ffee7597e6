import {
  Actor,
  ApiProblemResponses,
  ParseOpaqueIdPipe,
  type RequestActor,
  RequirePermission,
} from '@app/common';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminShippingMethodsService } from './admin-shipping-methods.service';
import { AdminShippingZonesService } from './admin-shipping-zones.service';
import { CreateShippingMethodDto, ShippingMethodDto } from './dto/shipping-method.dto';
import {
  CreateShippingZoneDto,
  ShippingZoneDetailDto,
  ShippingZoneListDto,
  UpdateShippingZoneDto,
} from './dto/shipping-zone.dto';

const Id = (name: string) => Param(name, new ParseOpaqueIdPipe());

@ApiTags('admin: shipping')
@Controller({ path: 'admin/shipping-zones' })
export class AdminShippingZonesController {
  constructor(
    private readonly zones: AdminShippingZonesService,
    private readonly methods: AdminShippingMethodsService,
  ) {}

  @Get()
  @RequirePermission('settings:manage')
  @ApiOperation({ summary: 'Every shipping zone with its countries' })
  @ApiOkResponse({ type: ShippingZoneListDto })
  @ApiProblemResponses(401, 403)
  list(): Promise<ShippingZoneListDto> {
    return this.zones.list();
  }

  @Post()
  @RequirePermission('settings:manage')
  @ApiOperation({ summary: 'Create a shipping zone for a set of countries (each in one zone at most)' })
  @ApiCreatedResponse({ type: ShippingZoneDetailDto })
  @ApiProblemResponses(400, 401, 403, 409)
  create(@Actor() actor: RequestActor, @Body() body: CreateShippingZoneDto): Promise<ShippingZoneDetailDto> {
    return this.zones.create(actor, body);
  }

  @Get(':id')
  @RequirePermission('settings:manage')
  @ApiOperation({ summary: 'One shipping zone with its countries and all its methods' })
  @ApiOkResponse({ type: ShippingZoneDetailDto })
  @ApiProblemResponses(400, 401, 403, 404)
  get(@Id('id') id: string): Promise<ShippingZoneDetailDto> {
    return this.zones.get(id);
  }

  @Patch(':id')
  @RequirePermission('settings:manage')
  @ApiOperation({
    summary: 'Rename, (de)activate or replace the countries of a zone; `version` must be the one you read',
  })
  @ApiOkResponse({ type: ShippingZoneDetailDto })
  @ApiProblemResponses(400, 401, 403, 404, 409)
  update(
    @Actor() actor: RequestActor,
    @Id('id') id: string,
    @Body() body: UpdateShippingZoneDto,
  ): Promise<ShippingZoneDetailDto> {
    return this.zones.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('settings:manage')
  @ApiOperation({ summary: 'Delete a zone with its countries and methods' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblemResponses(400, 401, 403, 404)
  remove(@Actor() actor: RequestActor, @Id('id') id: string): Promise<void> {
    return this.zones.remove(actor, id);
  }

  @Post(':zoneId/methods')
  @RequirePermission('settings:manage')
  @ApiOperation({ summary: 'Add a shipping method (flat rate, optionally free over a subtotal) to a zone' })
  @ApiCreatedResponse({ type: ShippingMethodDto })
  @ApiProblemResponses(400, 401, 403, 404)
  addMethod(
    @Actor() actor: RequestActor,
    @Id('zoneId') zoneId: string,
    @Body() body: CreateShippingMethodDto,
  ): Promise<ShippingMethodDto> {
    return this.methods.create(actor, zoneId, body);
  }
}
