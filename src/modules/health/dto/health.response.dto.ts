import { ApiProperty } from '@nestjs/swagger';

export class LivenessResponseDto {
  @ApiProperty({ example: 'ok' })
  status: 'ok';
}

export class DependencyCheckDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status: 'up' | 'down';

  @ApiProperty({
    required: false,
    type: 'number',
    format: 'double',
    example: 3,
    description: 'Milliseconds the check took',
  })
  responseTime?: number;
}

export class ReadinessResponseDto {
  @ApiProperty({ example: 'ok' })
  status: 'ok';

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/DependencyCheckDto' },
    example: { mysql: { status: 'up' }, redis: { status: 'up' }, queues: { status: 'up' } },
  })
  checks: Record<string, DependencyCheckDto>;
}
