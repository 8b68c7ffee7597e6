import { decodeCursor, Page, Principal, RequestActor, toPage } from '@app/common';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditRepository } from './audit.repository';
import { AuditEntryResponseDto, toAuditEntryResponse } from './dto/audit-entry.response.dto';
import type { ListAuditQueryDto } from './dto/list-audit.query.dto';

export interface AuditRecord {
  action: string;
  target: { type: string; id: string };
  details?: Record<string, unknown>;
}

/**
 * A process of the shop's own acting without a person or an API key behind it: a command-line tool
 * run by an operator (`npm run admin:create`) or the demo seed. Recorded as actor `system:<name>`.
 */
export interface SystemActor {
  /** What acted, e.g. `admin-create` or `seed` (at most 64 characters). */
  name: string;
  /** Ties the rows of one run together, as a request id does for HTTP (at most 128 characters). */
  runId: string;
}

/** Other features call `record` inside the transaction of the write it describes. */
@Injectable()
export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  async record(manager: EntityManager, actor: RequestActor<Principal>, record: AuditRecord): Promise<void> {
    const { principal } = actor;
    await this.audit.insert(manager, {
      actorType: principal.kind,
      actorId: principal.kind === 'user' ? principal.userId : principal.apiKeyId,
      action: record.action,
      targetType: record.target.type,
      targetId: record.target.id,
      requestId: actor.requestId.slice(0, 128),
      ip: actor.ip.slice(0, 45),
      details: record.details ?? null,
    });
  }

  /** As `record`, for a write made by the system itself (there is no request, so no IP). */
  async recordSystem(manager: EntityManager, actor: SystemActor, record: AuditRecord): Promise<void> {
    await this.audit.insert(manager, {
      actorType: 'system',
      actorId: actor.name.slice(0, 64),
      action: record.action,
      targetType: record.target.type,
      targetId: record.target.id,
      requestId: actor.runId.slice(0, 128),
      ip: '',
      details: record.details ?? null,
    });
  }

  async list(query: ListAuditQueryDto): Promise<Page<AuditEntryResponseDto>> {
    const beforeId = query.cursor ? decodeCursor(query.cursor, ['id']).id : undefined;
    const rows = await this.audit.list({ ...query, beforeId, limit: query.limit + 1 });
    return toPage(rows, query.limit, toAuditEntryResponse, (entry) => ({ id: entry.id }));
  }
}
