import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AddressDto } from './cart-input.dto';

export const LINE_PROBLEMS = ['unavailable', 'out-of-stock', 'insufficient-stock'] as const;
export type LineProblem = (typeof LINE_PROBLEMS)[number];

export const CART_PROBLEMS = [
  'empty',
  'line-unavailable',
  'line-out-of-stock',
  'line-insufficient-stock',
  'promotion-not-usable',
  'minimum-subtotal-not-met',
  'email-missing',
  'shipping-address-missing',
  'shipping-method-missing',
  'shipping-method-unavailable',
  'total-too-large',
] as const;
export type CartProblemCode = (typeof CART_PROBLEMS)[number];

export class CartProblemDto {
  @ApiProperty({ enum: CART_PROBLEMS }) code: CartProblemCode;
  @ApiProperty() detail: string;
  @ApiPropertyOptional({ format: 'uuid' }) itemId?: string;
}

export class CartLineDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) variantId: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) productId: string | null;
  @ApiProperty({ nullable: true, type: String }) productSlug: string | null;
  @ApiProperty({ nullable: true, type: String }) sku: string | null;
  @ApiProperty() title: string;
  @ApiProperty() variantTitle: string;
  @ApiProperty({ nullable: true, type: String }) imageUrl: string | null;
  @ApiProperty({ type: 'integer', description: 'Current price; minor units of `currency`' })
  unitPrice: number;
  @ApiProperty() quantity: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) subtotal: number;
  @ApiProperty({
    type: 'integer',
    description: 'This line’s share of the order discount; minor units of `currency`',
  })
  discount: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) tax: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) total: number;
  @ApiProperty({ description: 'Units available to sell now' }) available: number;
  @ApiProperty({ enum: LINE_PROBLEMS, nullable: true, type: String }) problem: LineProblem | null;
}

export class CartPromotionDto {
  @ApiProperty() code: string;
  @ApiProperty() applied: boolean;
  @ApiProperty({ nullable: true, type: String, enum: ['not-usable', 'minimum-subtotal-not-met'] })
  reason: 'not-usable' | 'minimum-subtotal-not-met' | null;
}

export class ShippingOptionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: 'integer', description: 'Rate; minor units of `currency`' }) rate: number;
  @ApiProperty({
    nullable: true,
    type: 'integer',
    description: 'Free from this discounted subtotal; minor units of `currency`',
  })
  freeOver: number | null;
}

export class CartTotalsDto {
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) subtotal: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) discount: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) shipping: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) shippingTax: number;
  @ApiProperty({ type: 'integer', description: 'All tax, lines and shipping; minor units of `currency`' })
  tax: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) total: number;
  @ApiProperty({ description: '1900 = 19%' }) taxRateBp: number;
  @ApiProperty({ description: 'Prices include tax (the tax shown is contained in them)' })
  taxIncluded: boolean;
  @ApiProperty({ nullable: true, type: String, enum: ['threshold', 'promotion'] })
  freeShipping: 'threshold' | 'promotion' | null;
}

export class CartDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['active', 'checked_out', 'merged'] }) status: string;
  @ApiProperty({ nullable: true, type: String }) customerId: string | null;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency of every amount of the cart' })
  currency: string;
  @ApiProperty({ type: [CartLineDto] }) lines: CartLineDto[];
  @ApiProperty({ type: CartPromotionDto, nullable: true }) promotion: CartPromotionDto | null;
  @ApiProperty({ type: AddressDto, nullable: true }) shippingAddress: AddressDto | null;
  @ApiProperty({ type: AddressDto, nullable: true }) billingAddress: AddressDto | null;
  @ApiProperty({ type: ShippingOptionDto, nullable: true }) shippingMethod: ShippingOptionDto | null;
  @ApiProperty({ type: [ShippingOptionDto], description: 'Methods for the shipping address' })
  shippingMethods: ShippingOptionDto[];
  @ApiProperty({ type: CartTotalsDto }) totals: CartTotalsDto;
  @ApiProperty({ type: [CartProblemDto], description: 'What stands between this cart and checkout' })
  problems: CartProblemDto[];
  @ApiProperty() checkoutReady: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'The order this cart became' })
  orderId: string | null;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class CreatedCartDto extends CartDto {
  @ApiPropertyOptional({
    description: 'A guest cart’s secret: send it as `X-Cart-Token` on every call for this cart. Shown once.',
  })
  token?: string;
}
