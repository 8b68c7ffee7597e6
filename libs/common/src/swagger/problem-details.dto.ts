import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field: string;

  @ApiProperty({ type: [String], example: ['email must be an email'] })
  messages: string[];
}

/** The RFC 9457 body of every error response. */
export class ProblemDetailsDto {
  @ApiProperty({
    example: '/problems/validation-failed',
    description: 'URI reference naming the problem type',
  })
  type: string;

  @ApiProperty({ example: 'The request is invalid' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'email: email must be an email' })
  detail: string;

  @ApiProperty({ example: '/v1/auth/register', description: 'The request path this occurrence is about' })
  instance: string;

  @ApiPropertyOptional({ example: '5f1c7a0e-4a8e-4c7e-9d1e-0c6f1d2b3a4b' })
  requestId?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Field messages, for validation problems' })
  errors?: FieldErrorDto[];
}
