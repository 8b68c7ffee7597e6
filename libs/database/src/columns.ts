import { Column, CreateDateColumn, UpdateDateColumn } from 'typeorm';

/**
 * A millisecond timestamp column. Every timestamp in the schema is `datetime(3)` (UTC, as the
 * driver is configured), so ordering and expiry comparisons keep milliseconds.
 */
export function TimestampColumn(name: string, options: { nullable?: boolean } = {}): PropertyDecorator {
  return Column({ type: 'datetime', precision: 3, name, nullable: options.nullable ?? false });
}

/**
 * The row's creation time, set by MySQL. The explicit default matters on MariaDB: without it
 * TypeORM emits CURRENT_TIMESTAMP(6) for a precision-3 column and every drift check fails.
 */
export function CreatedAtColumn(name = 'created_at'): PropertyDecorator {
  return CreateDateColumn({ type: 'datetime', precision: 3, name, default: () => 'CURRENT_TIMESTAMP(3)' });
}

/** The row's last-change time, set by MySQL on every UPDATE (same MariaDB default caveat as above). */
export function UpdatedAtColumn(name = 'updated_at'): PropertyDecorator {
  return UpdateDateColumn({
    type: 'datetime',
    precision: 3,
    name,
    default: () => 'CURRENT_TIMESTAMP(3)',
    onUpdate: 'CURRENT_TIMESTAMP(3)',
  });
}
