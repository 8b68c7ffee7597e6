import { TimestampColumn } from '@app/database';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One of the ten MFA recovery codes, stored as its SHA-256; usable once. */
@Entity({ name: 'auth_recovery_codes' })
@Index('uq_auth_recovery_codes_user_code', ['userId', 'codeHash'], { unique: true })
export class RecoveryCode {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'user_id' })
  userId: string;

  @Column({ type: 'char', length: 64, name: 'code_hash' })
  codeHash: string;

  @TimestampColumn('used_at', { nullable: true })
  usedAt: Date | null;
}
