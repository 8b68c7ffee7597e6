import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuditEntry } from '../entities/audit-entry.entity';

export class AuditEntryResponseDto {
  @ApiProperty({ example: '42' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ example: 'user.role-changed' })
  action: string;

  @ApiProperty({ example: { type: 'user', id: '0190a1b2-…' } })
  actor: { type: string; id: string };

  @ApiProperty({ example: { type: 'user', id: '0190a1b2-…' } })
  target: { type: string; id: string };

  @ApiProperty()
  requestId: string;

  @ApiProperty()
  ip: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  details: Record<string, unknown> | null;
}

export class AuditPageResponseDto {
  @ApiProperty({ type: [AuditEntryResponseDto] })
  data: AuditEntryResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export function toAuditEntryResponse(entry: AuditEntry): AuditEntryResponseDto {
  return {
    id: entry.id,
    occurredAt: entry.occurredAt.toISOString(),
    action: entry.action,
    actor: { type: entry.actorType, id: entry.actorId },
    target: { type: entry.targetType, id: entry.targetId },
    requestId: entry.requestId,
    ip: entry.ip,
    details: entry.details,
  };
}
