import { PageQueryDto } from '@app/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsDateString,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { AddressDto } from '../../carts';
import {
  ORDER_STATUSES,
  PAYMENT_METHODS,
  type OrderStatus,
  type PaymentMethod,
} from '../entities/order.entity';

const MAX_AMOUNT = 2_147_483_647;

export class CheckoutDto {
  @ApiProperty({
    enum: PAYMENT_METHODS,
    description:
      '`card`: pay now (`POST /v1/orders/{id}/payments`) before the checkout reservation ends (30 min). `bank_transfer`: transfer the total with the order number as reference within the hold (7 days; a reminder is mailed 48 h before), then staff record it. `cash_on_delivery`: no deadline; paid at the door, recorded by staff after delivery.',
  })
  @IsIn(PAYMENT_METHODS)
  paymentMethod: PaymentMethod;

  @ApiPropertyOptional({
    description:
      'The total the shopper was shown (minor units). When the cart now prices differently, checkout answers 409 `cart-changed` with the new totals and does nothing.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT)
  expectedTotal?: number;
}

export class CancelOrderDto {
  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class TransitionOrderDto {
  @ApiProperty({
    enum: ORDER_STATUSES,
    description: 'Fulfilment states are reached by recording fulfilments.',
  })
  @IsIn(ORDER_STATUSES)
  to: OrderStatus;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class FulfilmentLineInputDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  orderLineId: string;

  @ApiProperty({ minimum: 1, maximum: 999 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(999)
  quantity: number;
}

export class CreateFulfilmentDto {
  @ApiProperty({ type: [FulfilmentLineInputDto] })
  @ValidateNested({ each: true })
  @Type(() => FulfilmentLineInputDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  lines: FulfilmentLineInputDto[];

  @ApiProperty({ example: 'DHL' })
  @IsString()
  @Length(1, 100)
  carrier: string;

  @ApiProperty({ example: '00340434161234567890' })
  @IsString()
  @Length(1, 100)
  trackingNumber: string;
}

export class ListMyOrdersQueryDto extends PageQueryDto {}

export class ListOrdersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;

  @ApiPropertyOptional({ description: 'Placed at or after (ISO 8601)' })
  @IsOptional()
  @IsDateString({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Placed before (ISO 8601)' })
  @IsOptional()
  @IsDateString({ strict: true })
  to?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    // A blank email (a cleared filter field) is no filter.
    typeof value === 'string' ? value.trim().toLowerCase() || undefined : value,
  )
  @IsEmail()
  email?: string;

  @ApiPropertyOptional({ description: 'Total at least (minor units)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT)
  minTotal?: number;

  @ApiPropertyOptional({ description: 'Total at most (minor units)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT)
  maxTotal?: number;
}

export class OrderLineDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) variantId: string;
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty() sku: string;
  @ApiProperty() title: string;
  @ApiProperty() variantTitle: string;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) unitPrice: number;
  @ApiProperty() quantity: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) subtotal: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) discount: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) tax: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) total: number;
  @ApiProperty() fulfilledQuantity: number;
  @ApiProperty({ description: 'Shipped units returned and put back into stock by a refund' })
  restockedQuantity: number;
}

export class OrderTotalsDto {
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) subtotal: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) discount: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) shipping: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) shippingTax: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) tax: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) total: number;
  @ApiProperty() taxRateBp: number;
  @ApiProperty() taxIncluded: boolean;
}

export class OrderHistoryDto {
  @ApiProperty({ enum: ORDER_STATUSES, nullable: true, type: String }) from: OrderStatus | null;
  @ApiProperty({ enum: ORDER_STATUSES }) to: OrderStatus;
  @ApiProperty() at: string;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiPropertyOptional({ description: 'Who made the change (staff views only)' }) actor?: string;
}

export class FulfilmentLineDto {
  @ApiProperty({ format: 'uuid' }) orderLineId: string;
  @ApiProperty() quantity: number;
}

export class FulfilmentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() carrier: string;
  @ApiProperty() trackingNumber: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: [FulfilmentLineDto] }) lines: FulfilmentLineDto[];
}

export class OrderDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'SK-10042' }) number: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status: OrderStatus;
  @ApiProperty({ nullable: true, type: String }) customerId: string | null;
  @ApiProperty() email: string;
  @ApiProperty({ enum: PAYMENT_METHODS }) paymentMethod: PaymentMethod;
  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency of every amount of the order' })
  currency: string;
  @ApiProperty({ type: OrderTotalsDto }) totals: OrderTotalsDto;
  @ApiProperty({ nullable: true, type: String }) promotionCode: string | null;
  @ApiProperty({ nullable: true, type: String }) shippingMethodName: string | null;
  @ApiProperty({ type: AddressDto }) shippingAddress: AddressDto;
  @ApiProperty({ type: AddressDto }) billingAddress: AddressDto;
  @ApiProperty({ type: [OrderLineDto] }) lines: OrderLineDto[];
  @ApiProperty({ type: [FulfilmentDto] }) fulfilments: FulfilmentDto[];
  @ApiProperty({ type: [OrderHistoryDto] }) history: OrderHistoryDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Pay by: an unpaid order is cancelled, and its stock released, at this time (card: the checkout reservation; bank transfer: the hold). Null for cash on delivery (paid at the door) and once paid.',
  })
  expiresAt: string | null;
  @ApiProperty({ nullable: true, type: String }) paidAt: string | null;
  @ApiProperty({ nullable: true, type: String }) cancelledAt: string | null;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class OrderSummaryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() number: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status: OrderStatus;
  @ApiProperty({ nullable: true, type: String }) customerId: string | null;
  @ApiProperty() email: string;
  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency of `total`' }) currency: string;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) total: number;
  @ApiProperty() itemCount: number;
  @ApiProperty() createdAt: string;
}

export class OrderPageDto {
  @ApiProperty({ type: [OrderSummaryDto] }) data: OrderSummaryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
