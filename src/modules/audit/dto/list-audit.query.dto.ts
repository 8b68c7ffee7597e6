import { PageQueryDto } from '@app/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class ListAuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only entries by this actor (user or API key id).' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  actorId?: string;

  @ApiPropertyOptional({
    description: 'Only entries about this kind of record, e.g. `user`, `product`, `order`, `payment`.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  targetType?: string;

  @ApiPropertyOptional({ description: 'Only entries about this record (its id); with `targetType`.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  targetId?: string;

  @ApiPropertyOptional({
    description: 'Only this action, `<target type>.<verb>`, e.g. `user.disabled`, `product.updated`.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;
}
