import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  PAYMENT_PROVIDERS,
  PAYMENT_STATES,
  type Payment,
  type PaymentAttempt,
  type PaymentRefund,
} from '../entities/payment.entity';

export class StartPaymentDto {
  @ApiProperty({
    example: '4242424242424242',
    description:
      'The provider’s payment method: for the sandbox a test card number (4242424242424242 succeeds, 4000000000000002 is declined, 4000000000009995 has insufficient funds, 4000000000000077 succeeds after a delay, by webhook); for Stripe a PaymentMethod id.',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9_ -]{4,100}$/, { message: 'paymentMethod is not a payment method reference' })
  paymentMethod: string;
}

export class RecordManualPaymentDto {
  @ApiPropertyOptional({ description: 'The bank transfer’s or receipt’s reference' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  reference?: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class RestockLineDto {
  @ApiProperty({ format: 'uuid', description: 'A line of the payment’s order' })
  @IsUUID()
  orderLineId: string;

  @ApiProperty({
    minimum: 1,
    maximum: 999,
    description: 'Shipped units that came back, at most those not restocked yet',
  })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(999)
  quantity: number;
}

export class CreateRefundDto {
  @ApiProperty({ description: 'Minor units; at most what was captured and not yet refunded' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(4_294_967_295)
  amount: number;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  @ApiPropertyOptional({
    type: [RestockLineDto],
    description:
      'Returned units to put back into stock with this refund (shipped units only; a full refund puts unshipped units back by itself).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique((line: RestockLineDto) => line?.orderLineId, { message: 'restock names a line twice' })
  @ValidateNested({ each: true })
  @Type(() => RestockLineDto)
  restock?: RestockLineDto[];

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Where restocked units go; by default where they shipped from',
  })
  @IsOptional()
  @IsUUID()
  restockLocationId?: string;
}

export class CapturePaymentDto {
  @ApiPropertyOptional({ description: 'Minor units; default and at most the authorized amount' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(4_294_967_295)
  amount?: number;
}

export class PaymentAttemptDto {
  @ApiProperty() operation: string;
  @ApiProperty() outcome: string;
  @ApiProperty({ nullable: true, type: String }) detail: string | null;
  @ApiProperty() at: string;
}

export class RefundDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) paymentId: string;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) amount: number;
  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency of `amount` (the payment’s)' })
  currency: string;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] }) state: string;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty() createdAt: string;
}

export class PaymentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ enum: PAYMENT_PROVIDERS }) provider: string;
  @ApiProperty({ nullable: true, type: String }) providerReference: string | null;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) amount: number;
  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency of every amount of the payment' })
  currency: string;
  @ApiProperty({ enum: PAYMENT_STATES }) state: string;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) capturedAmount: number;
  @ApiProperty({ type: 'integer', description: 'minor units of `currency`' }) refundedAmount: number;
  @ApiProperty({ nullable: true, type: String }) failureCode: string | null;
  @ApiProperty({ nullable: true, type: String }) failureMessage: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Why staff should look (staff views)' })
  flaggedReason?: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'date-time',
    description:
      'When its money started going back by itself (it came for a payment recorded as failed, or a cancelled order); such a payment never pays the order (staff views)',
  })
  givenBackAt?: string | null;
  @ApiPropertyOptional({
    type: [PaymentAttemptDto],
    description: 'Every provider call and event (staff views)',
  })
  attempts?: PaymentAttemptDto[];
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export function toPaymentDto(payment: Payment, staff?: { attempts: PaymentAttempt[] }): PaymentDto {
  return {
    id: payment.id,
    orderId: payment.orderId,
    provider: payment.provider,
    providerReference: payment.providerReference,
    amount: payment.amount,
    currency: payment.currency,
    state: payment.state,
    capturedAmount: payment.capturedAmount,
    refundedAmount: payment.refundedAmount,
    failureCode: payment.failureCode,
    failureMessage: payment.failureMessage,
    ...(staff
      ? {
          flaggedReason: payment.flaggedReason,
          givenBackAt: payment.givenBackAt?.toISOString() ?? null,
          attempts: staff.attempts.map((attempt) => ({
            operation: attempt.operation,
            outcome: attempt.outcome,
            detail: attempt.detail,
            at: attempt.createdAt.toISOString(),
          })),
        }
      : {}),
    createdAt: payment.createdAt.toISOString(),
    updatedAt: payment.updatedAt.toISOString(),
  };
}

export function toRefundDto(refund: PaymentRefund, currency: string): RefundDto {
  return {
    id: refund.id,
    paymentId: refund.paymentId,
    amount: refund.amount,
    currency,
    state: refund.state,
    reason: refund.reason,
    createdAt: refund.createdAt.toISOString(),
  };
}
