import { CreatedAtColumn, TimestampColumn } from '@app/database';
import type { Permission } from '@app/common';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A credential for a server. Only its SHA-256 and a visible prefix are stored. */
@Entity({ name: 'api_keys' })
@Index('uq_api_keys_hash', ['keyHash'], { unique: true })
export class ApiKey {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'varchar', length: 100, name: 'name' })
  name: string;

  /** The first characters of the key (`sk_ab12cd34`), shown in lists so people can tell keys apart. */
  @Column({ type: 'varchar', length: 16, name: 'prefix' })
  prefix: string;

  @Column({ type: 'char', length: 64, name: 'key_hash' })
  keyHash: string;

  @Column({ type: 'json', name: 'scopes' })
  scopes: Permission[];

  @Column({ type: 'char', length: 36, name: 'created_by', nullable: true })
  createdBy: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('expires_at', { nullable: true })
  expiresAt: Date | null;

  /** Written at most once a minute per key, not on every request. */
  @TimestampColumn('last_used_at', { nullable: true })
  lastUsedAt: Date | null;

  @TimestampColumn('revoked_at', { nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'int', unsigned: true, name: 'version', default: 1 })
  version: number;
}
