import { CreatedAtColumn, TimestampColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A signed-in device: one refresh-token family. Access tokens name it (`sid`), so revoking it ends
 * them too. It belongs to the user's token epoch it was started in; raising the epoch ends it.
 */
@Entity({ name: 'auth_sessions' })
@Index('idx_auth_sessions_user', ['userId', 'revokedAt'])
export class Session {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'user_id' })
  userId: string;

  @Column({ type: 'int', unsigned: true, name: 'token_epoch' })
  tokenEpoch: number;

  @Column({ type: 'varchar', length: 255, name: 'user_agent' })
  userAgent: string;

  @Column({ type: 'varchar', length: 45, name: 'ip' })
  ip: string;

  @CreatedAtColumn()
  createdAt: Date;

  /** Updated on every refresh (not on every request: that would be a write per request). */
  @TimestampColumn('last_used_at')
  lastUsedAt: Date;

  /** Absolute end: refreshing never extends a session past it. */
  @TimestampColumn('expires_at')
  expiresAt: Date;

  @TimestampColumn('revoked_at', { nullable: true })
  revokedAt: Date | null;

  /** logout, revoked, refresh-token-reused, sessions-ended */
  @Column({ type: 'varchar', length: 32, name: 'revoke_reason', nullable: true })
  revokeReason: string | null;
}
