import { CreatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One staff or admin write: who did what to what, when, from which request. Append-only. */
@Entity({ name: 'audit_log' })
@Index('idx_audit_log_target', ['targetType', 'targetId'])
@Index('idx_audit_log_actor', ['actorId'])
export class AuditEntry {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true, name: 'id' })
  id: string;

  @CreatedAtColumn('occurred_at')
  occurredAt: Date;

  /** `user`, `api-key` or `system` (a command-line tool or the demo seed: see AuditService.recordSystem). */
  @Column({ type: 'varchar', length: 16, name: 'actor_type' })
  actorType: string;

  @Column({ type: 'varchar', length: 64, name: 'actor_id' })
  actorId: string;

  /** Dotted verb, e.g. `user.role-changed`, `api-key.created`. */
  @Column({ type: 'varchar', length: 64, name: 'action' })
  action: string;

  @Column({ type: 'varchar', length: 32, name: 'target_type' })
  targetType: string;

  @Column({ type: 'varchar', length: 64, name: 'target_id' })
  targetId: string;

  @Column({ type: 'varchar', length: 128, name: 'request_id' })
  requestId: string;

  @Column({ type: 'varchar', length: 45, name: 'ip' })
  ip: string;

  /** What changed (before/after values); never a secret. */
  @Column({ type: 'json', name: 'details', nullable: true })
  details: Record<string, unknown> | null;
}
