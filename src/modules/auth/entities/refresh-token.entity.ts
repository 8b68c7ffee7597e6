import { CreatedAtColumn, TimestampColumn } from '@app/database';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One refresh token of a session, stored as its SHA-256. Used tokens are kept (with `used_at`):
 * presenting one again is the sign of theft that ends the whole session.
 */
@Entity({ name: 'auth_refresh_tokens' })
@Index('uq_auth_refresh_tokens_hash', ['tokenHash'], { unique: true })
@Index('idx_auth_refresh_tokens_session', ['sessionId'])
export class RefreshToken {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'session_id' })
  sessionId: string;

  @Column({ type: 'char', length: 64, name: 'token_hash' })
  tokenHash: string;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('used_at', { nullable: true })
  usedAt: Date | null;
}
