import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { SLUG_PATTERN } from './admin-product.dto';

export class CreateCategoryDto {
  @ApiProperty({ example: 'Shirts', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ example: 'shirts', description: 'Defaults to the name in kebab-case.' })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: 'slug must be lower-case letters and digits separated by single dashes' })
  @MaxLength(120)
  slug?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Parent category id; null or absent for a root.',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  parentId?: string | null;

  @ApiPropertyOptional({ example: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  position?: number;
}

export class UpdateCategoryDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: 'slug must be lower-case letters and digits separated by single dashes' })
  @MaxLength(120)
  slug?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Move under another parent; null makes it a root.',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  parentId?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  position?: number;

  @ApiProperty({ description: 'The version you read; a stale version gets 409.' })
  @IsInt()
  @Min(1)
  version: number;
}

export class CategoryDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  slug: string;

  @ApiProperty()
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  parentId: string | null;

  @ApiProperty()
  position: number;

  @ApiProperty()
  version: number;
}

export class CategoryTreeNodeDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  slug: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  position: number;

  @ApiProperty({ type: () => [CategoryTreeNodeDto] })
  children: CategoryTreeNodeDto[];
}

export class CategoryTreeDto {
  @ApiProperty({ type: [CategoryTreeNodeDto] })
  data: CategoryTreeNodeDto[];
}

export class CategoryListDto {
  @ApiProperty({ type: [CategoryDto] })
  data: CategoryDto[];
}
