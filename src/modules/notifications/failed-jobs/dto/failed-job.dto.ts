import { PageQueryDto } from '@app/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';

const QUEUE_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const JOB_ID = /^[A-Za-z0-9:_.-]{1,200}$/;

export class ListFailedJobsQueryDto extends PageQueryDto {
  @ApiProperty({ enum: ['failed'], description: 'Which jobs: only `failed` (out of retries) is listed.' })
  @IsIn(['failed'])
  state: 'failed';

  @ApiPropertyOptional({ description: 'Only this queue (e.g. `mail`, `events`); all queues when left out.' })
  @IsOptional()
  @IsString()
  @Matches(QUEUE_NAME, { message: 'queue is not a queue name' })
  queue?: string;
}

export class FailedJobParamsDto {
  @ApiProperty({ example: 'mail' })
  @Matches(QUEUE_NAME, { message: 'queue is not a queue name' })
  queue: string;

  @ApiProperty({ example: 'outbox-42' })
  @Matches(JOB_ID, { message: 'id is not a job id' })
  id: string;
}

/** Which failed jobs a bulk retry or discard acts on: the given ids of one queue, or every failed job. */
export class BulkFailedJobsDto {
  @ApiPropertyOptional({
    description: 'Only this queue; every queue when left out (then `ids` must be too).',
  })
  @IsOptional()
  @IsString()
  @Matches(QUEUE_NAME, { message: 'queue is not a queue name' })
  queue?: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 500,
    description: 'These jobs of `queue`; every failed job of it (or of every queue) when left out.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  @Matches(JOB_ID, { each: true, message: 'each id must be a job id' })
  ids?: string[];
}

export class FailedJobResponseDto {
  @ApiProperty({ example: 'mail' })
  queue: string;

  @ApiProperty({ example: 'outbox-42' })
  id: string;

  @ApiProperty({ example: 'mail.send' })
  name: string;

  @ApiProperty({ example: 'connect ECONNREFUSED 127.0.0.1:1025' })
  failedReason: string;

  @ApiProperty({ example: 5 })
  attemptsMade: number;

  @ApiProperty({ example: 5, description: 'Attempts the job was allowed.' })
  attempts: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Start of the last attempt.',
  })
  processedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  failedAt: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The job payload, with secrets (sealed mail secrets, tokens, passwords) replaced by "[redacted]".',
  })
  data: Record<string, unknown>;
}

export class FailedJobPageResponseDto {
  @ApiProperty({ type: [FailedJobResponseDto] })
  data: FailedJobResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export class BulkFailedJobsResponseDto {
  @ApiProperty({ description: 'How many failed jobs were acted on.' })
  count: number;
}
