import { CreatedAtColumn, TimestampColumn } from '@app/database';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const EMAIL_TOKEN_PURPOSES = ['verify-email', 'reset-password'] as const;
export type EmailTokenPurpose = (typeof EMAIL_TOKEN_PURPOSES)[number];

/** A single-use token sent by email (verification, password reset), stored as its SHA-256. */
@Entity({ name: 'auth_email_tokens' })
@Index('uq_auth_email_tokens_hash', ['tokenHash'], { unique: true })
@Index('idx_auth_email_tokens_user', ['userId', 'purpose'])
export class EmailToken {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'user_id' })
  userId: string;

  @Column({ type: 'enum', enum: EMAIL_TOKEN_PURPOSES, name: 'purpose' })
  purpose: EmailTokenPurpose;

  @Column({ type: 'char', length: 64, name: 'token_hash' })
  tokenHash: string;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('expires_at')
  expiresAt: Date;

  @TimestampColumn('used_at', { nullable: true })
  usedAt: Date | null;
}
