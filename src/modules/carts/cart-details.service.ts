import type { PostalAddress } from '@app/common';
import { Injectable } from '@nestjs/common';
import { PromotionRedemptionsService } from '../promotions';
import type { CartCaller } from './cart-access.service';
import { CartWritesService } from './cart-writes.service';
import { PromotionCodeNotUsableError, ShippingMethodUnavailableError } from './carts.errors';
import { CartsRepository } from './carts.repository';
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
    private readonly carts: CartsRepository,
    private readonly promotions: PromotionRedemptionsService,
  ) {}

  setPromotion(caller: CartCaller, id: string, dto: ApplyPromotionDto): Promise<CartDto> {
    return this.writes.mutate(caller, id, async (manager, { cart }) => {
      const code = dto.code ?? null;
      const rule = code === null ? null : await this.promotions.findUsable(manager, code, new Date());
      if (code !== null && !rule) throw new PromotionCodeNotUsableError(code);
      const fields = { promotionCode: rule?.code ?? null };
      const updatedAt = await this.carts.update(manager, cart.id, fields);
      return { cart: { ...cart, ...fields, version: cart.version + 1, updatedAt }, promotion: rule };
    });
  }

  setAddresses(caller: CartCaller, id: string, dto: SetAddressesDto): Promise<CartDto> {
    const shippingAddress = toAddress(dto.shippingAddress);
    return this.writes.updateFields(caller, id, (_manager, { cart }) =>
      Promise.resolve({
        shippingAddress,
        billingAddress: toAddress(dto.billingAddress ?? dto.shippingAddress),
        // A customer's order goes to their account email; a guest (or an account without one) gives one.
        ...(!dto.email || (cart.customerId && cart.email) ? {} : { email: dto.email.toLowerCase() }),
        // A method chosen for another country may not serve this one.
        ...(cart.shippingAddress?.country !== shippingAddress.country ? { shippingMethodId: null } : {}),
      }),
    );
  }

  /** The methods offered to the cart's address come with the read that checks the cart. */
  setShippingMethod(caller: CartCaller, id: string, dto: SetShippingMethodDto): Promise<CartDto> {
    return this.writes.updateFields(caller, id, (_manager, { cart, shippingMethods }) => {
      if (!shippingMethods.some((method) => method.id === dto.shippingMethodId))
        throw new ShippingMethodUnavailableError(dto.shippingMethodId, cart.shippingAddress?.country ?? null);
      return Promise.resolve({ shippingMethodId: dto.shippingMethodId });
    });
  }
}
