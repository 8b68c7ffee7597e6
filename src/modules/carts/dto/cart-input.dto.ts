import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsDefined,
  IsEmail,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  IsInt,
  ValidateNested,
} from 'class-validator';

export const MAX_LINE_QUANTITY = 999;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const upper = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toUpperCase() : value;

/** Note: no price, total or discount can be sent — unknown fields are rejected (400). */
export class CreateCartDto {
  @ApiPropertyOptional({ description: 'A guest’s email (customers’ carts use their account email).' })
  @IsOptional()
  @Transform(trim)
  @IsEmail()
  @MaxLength(320)
  email?: string;
}

export class AddCartItemDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  variantId: string;

  @ApiProperty({ minimum: 1, maximum: MAX_LINE_QUANTITY })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity: number;
}

export class UpdateCartItemDto {
  @ApiProperty({ minimum: 1, maximum: MAX_LINE_QUANTITY })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity: number;
}

export class ApplyPromotionDto {
  @ApiProperty({
    example: 'SPRING10',
    description: 'The code; `null` removes it.',
    nullable: true,
    type: String,
  })
  @IsOptional()
  @Transform(upper)
  @Matches(/^[A-Z0-9_-]{3,50}$/, { message: 'code must be 3-50 letters, digits, dashes or underscores' })
  code: string | null;
}

export class AddressDto {
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 100) firstName: string;
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 100) lastName: string;
  // Optional fields read back as null when not given (and null is accepted in, as absent).
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(200)
  company?: string | null;
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 200) line1: string;
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(200)
  line2?: string | null;
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 100) city: string;
  @ApiProperty()
  @Transform(trim)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 -]{0,15}$/, { message: 'postalCode is not a postal code' })
  postalCode: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'ISO 3166-2 subdivision suffix, e.g. `CA` for US-CA.',
  })
  @IsOptional()
  @Transform(upper)
  @Matches(/^[A-Z0-9]{1,3}$/, { message: 'region must be an ISO 3166-2 subdivision code such as CA' })
  region?: string | null;
  @ApiProperty({ example: 'DE', description: 'ISO 3166-1 alpha-2' })
  @Transform(upper)
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code such as DE' })
  country: string;
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @Matches(/^\+?[0-9 ()-]{4,30}$/, { message: 'phone is not a phone number' })
  phone?: string | null;
}

export class SetAddressesDto {
  @ApiProperty({ type: AddressDto })
  @IsDefined() // @ValidateNested alone lets a missing address through
  @ValidateNested()
  @Type(() => AddressDto)
  shippingAddress: AddressDto;

  @ApiPropertyOptional({ type: AddressDto, description: 'Defaults to the shipping address.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => AddressDto)
  billingAddress?: AddressDto;

  @ApiPropertyOptional({ description: 'A guest’s email for the order.' })
  @IsOptional()
  @Transform(trim)
  @IsEmail()
  @MaxLength(320)
  email?: string;
}

export class SetShippingMethodDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  shippingMethodId: string;
}
