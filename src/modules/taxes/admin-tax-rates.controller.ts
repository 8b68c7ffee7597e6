import {
  Actor,
  ApiProblemResponses,
  ParseOpaqueIdPipe,
  type RequestActor,
  RequirePermission,
} from '@app/common';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminTaxRatesService } from './admin-tax-rates.service';
import {
  CreateTaxRateDto,
  ListTaxRatesQueryDto,
  TaxRateDto,
  TaxRateListDto,
  UpdateTaxRateDto,
} from './dto/tax-rate.dto';

const Id = () => Param('id', new ParseOpaqueIdPipe());

@ApiTags('admin: taxes')
@Controller({ path: 'admin/tax-rates' })
export class AdminTaxRatesController {
  constructor(private readonly rates: AdminTaxRatesService) {}

  @Get()
  @RequirePermission('settings:manage')
  @ApiOperation({ summary: 'Tax rates by country and region, optionally of one country' })
  @ApiOkResponse({ type: TaxRateListDto })
  @ApiProblemResponses(400, 401, 403)
  list(@Query() query: ListTaxRatesQueryDto): Promise<TaxRateListDto> {
    return this.rates.list(query);
  }

  @Post()
  @RequirePermission('settings:manage')
  @ApiOperation({ summary: 'Set the tax rate of a country, or of one of its subdivisions' })
  @ApiCreatedResponse({ type: TaxRateDto })
  @ApiProblemResponses(400, 401, 403, 409)
  create(@Actor() actor: RequestActor, @Body() body: CreateTaxRateDto): Promise<TaxRateDto> {
    return this.rates.create(actor, body);
  }

  @Get(':id')
  @RequirePermission('settings:manage')
  @ApiOperation({ summary: 'One tax rate' })
  @ApiOkResponse({ type: TaxRateDto })
  @ApiProblemResponses(400, 401, 403, 404)
  get(@Id() id: string): Promise<TaxRateDto> {
    return this.rates.get(id);
  }

  @Patch(':id')
  @RequirePermission('settings:manage')
  @ApiOperation({ summary: 'Rename a tax rate or change its rate; `version` must be the one you read' })
  @ApiOkResponse({ type: TaxRateDto })
  @ApiProblemResponses(400, 401, 403, 404, 409)
  update(
    @Actor() actor: RequestActor,
    @Id() id: string,
    @Body() body: UpdateTaxRateDto,
  ): Promise<TaxRateDto> {
    return this.rates.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('settings:manage')
  @ApiOperation({ summary: 'Delete a tax rate (a region without one falls back to its country’s)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblemResponses(400, 401, 403, 404)
  remove(@Actor() actor: RequestActor, @Id() id: string): Promise<void> {
    return this.rates.remove(actor, id);
  }
}
