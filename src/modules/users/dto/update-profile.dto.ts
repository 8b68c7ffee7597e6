import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length, ValidateIf } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Only what a person may change about themselves; role, email state and the like are refused. */
export class UpdateProfileDto {
  @ApiPropertyOptional({ example: 'Ada Lovelace', minLength: 1, maxLength: 200 })
  // Not @IsOptional: that would let `null` through to a NOT NULL column. Absent means unchanged.
  @ValidateIf((body: UpdateProfileDto) => body.name !== undefined)
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name?: string;
}
