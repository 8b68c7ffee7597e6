import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn } from '@app/database';
import { ROLES, type Role } from '@app/common';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const USER_STATUSES = ['active', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** A person with an account: a customer or a member of staff. */
@Entity({ name: 'users' })
@Index('uq_users_email', ['email'], { unique: true })
export class User {
  /** UUIDv7: time-ordered, so inserts append to the primary key and lists page by id. */
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  /**
   * Normalised (NFC, trimmed, lower-cased) before it is stored or looked up, and compared byte for
   * byte: the database's accent- and case-insensitive collation would make `álice@` find `alice@`.
   */
  @Column({ type: 'varchar', length: 254, name: 'email', charset: 'utf8mb4', collation: 'utf8mb4_bin' })
  email: string;

  @Column({ type: 'varchar', length: 200, name: 'name' })
  name: string;

  /** argon2id PHC string: algorithm, parameters and salt travel with the hash. */
  @Column({ type: 'varchar', length: 255, name: 'password_hash' })
  passwordHash: string;

  @Column({ type: 'enum', enum: ROLES, name: 'role', default: 'customer' })
  role: Role;

  @Column({ type: 'enum', enum: USER_STATUSES, name: 'status', default: 'active' })
  status: UserStatus;

  @TimestampColumn('email_verified_at', { nullable: true })
  emailVerifiedAt: Date | null;

  /** The confirmed TOTP secret, sealed with SecretBox (never in clear). Null when MFA is off. */
  @Column({ type: 'varchar', length: 512, name: 'mfa_secret', nullable: true })
  mfaSecret: string | null;

  /** A secret being enrolled, sealed, until the first code confirms it. */
  @Column({ type: 'varchar', length: 512, name: 'mfa_pending_secret', nullable: true })
  mfaPendingSecret: string | null;

  @TimestampColumn('mfa_enabled_at', { nullable: true })
  mfaEnabledAt: Date | null;

  /** The last TOTP time step accepted: a code is usable once, and never an older one after it. */
  @Column({ type: 'bigint', name: 'mfa_last_step', nullable: true })
  mfaLastStep: string | null;

  /**
   * Raised to revoke every session at once (password, MFA or role change, disable, log out
   * everywhere): tokens and sessions of an older epoch are refused.
   */
  @Column({ type: 'int', unsigned: true, name: 'token_epoch', default: 0 })
  tokenEpoch: number;

  /** Raised by every write; the principal cache keeps only the newest version. */
  @Column({ type: 'int', unsigned: true, name: 'version', default: 1 })
  version: number;

  @TimestampColumn('deletion_requested_at', { nullable: true })
  deletionRequestedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
