import type { PostalAddress } from '@app/common';
import { Injectable } from '@nestjs/common';
import { PromotionRedemptionsService } from '../promotions';
import { ShippingRatesService } from '../shipping';
import type { CartCaller } from './cart-access.service';
import { CartWritesService } from './cart-writes.service';
import { PromotionCodeNotUsableError, ShippingMethodUnavailableError } from './carts.errors';
import type { ApplyPromotionDto, SetAddressesDto, SetShippingMethodDto } from './dto/cart-input.dto';
import type { CartDto } from './dto/cart.response.dto';

const toAddress = (address: SetAddressesDto['shippingAddress']): PostalAddress => ({
  firstName: address.firstName,
  lastName: address.lastName,
  company: address.company ?? null,
  line1: address.line1,
  line2: address.line2 ?? null,
  city: address.city,
  postalCode: address.postalCode,
  region: address.region ?? null,
  country: address.country,
  phone: address.phone ?? null,
});

/** What a cart is for beyond its lines: the promotion code, the addresses, the shipping method. */
@Injectable()
export class CartDetailsService {
  constructor(
    private readonly writes: CartWritesService,
    private readonly promotions: PromotionRedemptionsService,
    private readonly shipping: ShippingRatesService,
  ) {}

  setPromotion(caller: CartCaller, id: string, dto: ApplyPromotionDto): Promise<CartDto> {
    return this.writes.mutate(caller, id, async (manager) => {
      if (dto.code === null || dto.code === undefined) return { cart: { promotionCode: null } };
      const rule = await this.promotions.findUsable(manager, dto.code, new Date());
      if (!rule) throw new PromotionCodeNotUsableError(dto.code);
      return { cart: { promotionCode: rule.code } };
    });
  }

  setAddresses(caller: CartCaller, id: string, dto: SetAddressesDto): Promise<CartDto> {
    return this.writes.mutate(caller, id, (_manager, cart) => {
      const shippingAddress = toAddress(dto.shippingAddress);
      const countryChanged = cart.shippingAddress?.country !== shippingAddress.country;
      return Promise.resolve({
        cart: {
          shippingAddress,
          billingAddress: toAddress(dto.billingAddress ?? dto.shippingAddress),
          // A customer's order goes to their account email; a guest (or an account without one) gives one.
          ...(!dto.email || (cart.customerId && cart.email) ? {} : { email: dto.email.toLowerCase() }),
          // A method chosen for another country may not serve this one.
          ...(countryChanged ? { shippingMethodId: null } : {}),
        },
      });
    });
  }

  setShippingMethod(caller: CartCaller, id: string, dto: SetShippingMethodDto): Promise<CartDto> {
    return this.writes.mutate(caller, id, async (manager, cart) => {
      const country = cart.shippingAddress?.country ?? null;
      const methods = country ? await this.shipping.methodsFor(manager, country) : [];
      if (!methods.some((method) => method.id === dto.shippingMethodId))
        throw new ShippingMethodUnavailableError(dto.shippingMethodId, country);
      return { cart: { shippingMethodId: dto.shippingMethodId } };
    });
  }
}
