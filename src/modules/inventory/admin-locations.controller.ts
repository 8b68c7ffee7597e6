import {
  Actor,
  ApiProblemResponses,
  ParseOpaqueIdPipe,
  type RequestActor,
  RequirePermission,
} from '@app/common';
import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateLocationDto, LocationDto, LocationListDto, UpdateLocationDto } from './dto/inventory.dto';
import { LocationsService } from './locations.service';

@ApiTags('admin: inventory')
@Controller({ path: 'admin/locations' })
export class AdminLocationsController {
  constructor(private readonly locations: LocationsService) {}

  @Get()
  @RequirePermission('inventory:write')
  @ApiOperation({ summary: 'Stock locations, by priority' })
  @ApiOkResponse({ type: LocationListDto })
  @ApiProblemResponses(401, 403)
  list(): Promise<LocationListDto> {
    return this.locations.list();
  }

  @Post()
  @RequirePermission('inventory:write')
  @ApiOperation({ summary: 'Create a stock location' })
  @ApiCreatedResponse({ type: LocationDto })
  @ApiProblemResponses(400, 401, 403, 409)
  create(@Actor() actor: RequestActor, @Body() body: CreateLocationDto): Promise<LocationDto> {
    return this.locations.create(actor, body);
  }

  @Patch(':id')
  @RequirePermission('inventory:write')
  @ApiOperation({ summary: 'Rename, re-prioritise, activate or deactivate a location' })
  @ApiOkResponse({ type: LocationDto })
  @ApiProblemResponses(400, 401, 403, 404, 409)
  update(
    @Actor() actor: RequestActor,
    @Param('id', new ParseOpaqueIdPipe()) id: string,
    @Body() body: UpdateLocationDto,
  ): Promise<LocationDto> {
    return this.locations.update(actor, id, body);
  }
}
