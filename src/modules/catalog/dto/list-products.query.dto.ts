import { blankAsAbsent, PageQueryDto } from '@app/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_PRICE } from './admin-product.dto';

export const PRODUCT_SORTS = ['relevance', 'newest', 'price_asc', 'price_desc', 'title'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

const toArray = ({ value }: { value: unknown }): unknown =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];
const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListProductsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Full-text search over titles, descriptions and attributes.',
    maxLength: 200,
  })
  @Transform(blankAsAbsent)
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'A category slug or id; its descendants are included.' })
  @Transform(blankAsAbsent)
  @IsOptional()
  @IsString()
  @MaxLength(120)
  category?: string;

  @ApiPropertyOptional({ description: 'Lowest variant price to include (minor units).' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  minPrice?: number;

  @ApiPropertyOptional({ description: 'Highest variant price to include (minor units).' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  maxPrice?: number;

  @ApiPropertyOptional({ description: 'Only products with a variant that can be bought now.' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  inStock?: boolean;

  @ApiPropertyOptional({
    type: [String],
    description:
      'Option filters `name:value`, repeatable: values of one option are alternatives, different options must all match one variant. E.g. `?option=colour:red&option=colour:blue&option=size:M`: a variant in size M, red or blue.',
  })
  @IsOptional()
  @Transform(toArray)
  @IsArray()
  @ArrayMaxSize(10)
  @Matches(/^[^:]{1,50}:.{1,100}$/, { each: true, message: 'option must be name:value' })
  option?: string[];

  @ApiPropertyOptional({ enum: PRODUCT_SORTS, description: 'Default: relevance with `q`, newest without.' })
  @IsOptional()
  @IsIn(PRODUCT_SORTS)
  sort?: ProductSort;
}
