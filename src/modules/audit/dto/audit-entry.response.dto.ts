import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuditEntry } from '../entities/audit-entry.entity';

/** Who acted, or what was acted on: a kind (`user`, `api-key`, `product`…) and its id. */
export class AuditPartyDto {
  @ApiProperty({ example: 'user' })
  type: string;

  @ApiProperty({ example: '0190a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b' })
  id: string;
}

export class AuditEntryResponseDto {
  @ApiProperty({ example: '42' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ example: 'user.role-changed' })
  action: string;

  @ApiProperty({ type: AuditPartyDto })
  actor: AuditPartyDto;

  @ApiProperty({ type: AuditPartyDto })
  target: AuditPartyDto;

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
