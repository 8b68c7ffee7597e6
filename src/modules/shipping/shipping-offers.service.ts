import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type OfferedShippingMethodListDto, toOfferedShippingMethodDto } from './dto/shipping-method.dto';
import { ShippingRatesService } from './shipping-rates.service';

/** What the storefront may offer a destination, before there is a cart: the same rule carts price with. */
@Injectable()
export class ShippingOffersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rates: ShippingRatesService,
    private readonly config: AppConfig,
  ) {}

  async forCountry(country: string): Promise<OfferedShippingMethodListDto> {
    const methods = await this.rates.methodsFor(this.dataSource.manager, country);
    return {
      data: methods.map((method) => toOfferedShippingMethodDto(method, this.config.catalog.currency)),
    };
  }
}
