import { ApiProblemResponses, Public } from '@app/common';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OfferedShippingMethodListDto, ShippingMethodsQueryDto } from './dto/shipping-method.dto';
import { ShippingOffersService } from './shipping-offers.service';

@ApiTags('storefront: shipping')
@Controller({ path: 'shipping-methods' })
export class ShippingMethodsController {
  constructor(private readonly offers: ShippingOffersService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'The shipping methods offered to a destination country, in display order' })
  @ApiOkResponse({ type: OfferedShippingMethodListDto, description: 'Empty when nothing ships there.' })
  @ApiProblemResponses(400, 429)
  list(@Query() query: ShippingMethodsQueryDto): Promise<OfferedShippingMethodListDto> {
    return this.offers.forCountry(query.country);
  }
}
