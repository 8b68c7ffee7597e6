import { CreatedAtColumn, TimestampColumn } from '@app/database';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A side effect to perform after the transaction that wrote it commits (invariant 4). The relay in
 * the worker moves unpublished rows to their Bull queue, with the row id as the job id.
 */
@Entity({ name: 'outbox' })
@Index('idx_outbox_unpublished', ['publishedAt', 'id'])
export class OutboxMessage {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true, name: 'id' })
  id: string;

  @Column({ type: 'varchar', length: 64, name: 'queue' })
  queue: string;

  @Column({ type: 'varchar', length: 128, name: 'job_name' })
  jobName: string;

  @Column({ type: 'json', name: 'payload' })
  payload: Record<string, unknown>;

  /** Bull delay: the job runs no earlier than this many milliseconds after publication. */
  @Column({ type: 'int', unsigned: true, name: 'delay_ms', default: 0 })
  delayMs: number;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('published_at', { nullable: true })
  publishedAt: Date | null;

  @Column({ type: 'int', unsigned: true, name: 'attempts', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', length: 512, name: 'last_error', nullable: true })
  lastError: string | null;

  /**
   * The W3C trace context of the work that wrote the row (null when tracing is off): the relay puts it
   * on the Bull job, whose span continues that trace (a checkout and the mail it sends are one trace).
   */
  @Column({ type: 'varchar', length: 55, name: 'traceparent', nullable: true })
  traceparent: string | null;

  @Column({ type: 'varchar', length: 512, name: 'tracestate', nullable: true })
  tracestate: string | null;
}
