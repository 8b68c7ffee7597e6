import { ApiProperty } from '@nestjs/swagger';
import type { Session } from '../entities/session.entity';

export class SessionResponseDto {
  @ApiProperty()
  id: string;

  @ApiProperty({ example: 'Mozilla/5.0 (iPhone; …)' })
  userAgent: string;

  @ApiProperty({ example: '203.0.113.7' })
  ip: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', description: 'Last sign-in or token refresh.' })
  lastUsedAt: string;

  @ApiProperty({ description: 'True for the session this request was made with.' })
  current: boolean;
}

export function toSessionResponse(session: Session, currentSessionId: string): SessionResponseDto {
  return {
    id: session.id,
    userAgent: session.userAgent,
    ip: session.ip,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    current: session.id === currentSessionId,
  };
}
