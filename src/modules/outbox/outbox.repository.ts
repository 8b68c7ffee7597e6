import type { TraceCarrier } from '@app/common';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** Rows that failed this many relay passes (e.g. an unknown queue) are parked for an operator. */
export const OUTBOX_MAX_ATTEMPTS = 10;

/**
 * A row to write. The storage layer is untyped on purpose (any job, any queue, a JSON payload):
 * OutboxService is what features call, and it only accepts a job of the OutboxJobs map with its payload.
 */
export interface OutboxRowToInsert {
  queue: string;
  jobName: string;
  payload: unknown;
  delayMs?: number;
  /** The trace the row continues in the worker (none when tracing is off). */
  traceContext?: TraceCarrier | null;
}

/** A row to publish: its payload is relayed to Bull as stored, without being read. */
export interface PendingOutboxMessage {
  id: string;
  queue: string;
  jobName: string;
  payload: unknown;
  delayMs: number;
  traceContext: TraceCarrier | null;
}

interface PendingRow {
  id: string;
  queue: string;
  job_name: string;
  /** The JSON column, as a string or already parsed (depending on the server). */
  payload: unknown;
  delay_ms: number;
  traceparent: string | null;
  tracestate: string | null;
}

@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, messages: OutboxRowToInsert[]): Promise<void> {
    if (messages.length === 0) return;
    await manager.query(
      'INSERT INTO outbox (queue, job_name, payload, delay_ms, traceparent, tracestate) VALUES ?',
      [
        messages.map((message) => [
          message.queue,
          message.jobName,
          JSON.stringify(message.payload),
          message.delayMs ?? 0,
          message.traceContext?.traceparent ?? null,
          message.traceContext?.tracestate ?? null,
        ]),
      ],
    );
  }

  /**
   * Locks the oldest unpublished rows for this transaction. SKIP LOCKED makes concurrent relays
   * take disjoint batches instead of waiting for (and then re-publishing) each other's rows.
   */
  async lockNextUnpublished(manager: EntityManager, limit: number): Promise<PendingOutboxMessage[]> {
    const rows = await manager.query<PendingRow[]>(
      `SELECT id, queue, job_name, payload, delay_ms, traceparent, tracestate FROM outbox
        WHERE published_at IS NULL AND attempts < ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`,
      [OUTBOX_MAX_ATTEMPTS, limit],
    );
    return rows.map((row) => ({
      id: String(row.id),
      queue: row.queue,
      jobName: row.job_name,
      payload: typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload,
      delayMs: Number(row.delay_ms),
      traceContext: row.traceparent
        ? row.tracestate
          ? { traceparent: row.traceparent, tracestate: row.tracestate }
          : { traceparent: row.traceparent }
        : null,
    }));
  }

  async markPublished(manager: EntityManager, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await manager.query('UPDATE outbox SET published_at = CURRENT_TIMESTAMP(3) WHERE id IN (?)', [ids]);
  }

  /**
   * Moves rows published at or after `since`, and delayed rows published earlier that were not yet
   * due at `since`, back to unpublished, each keeping what is left of its delay (recovery after Redis
   * lost the jobs; a rare path, so the scan of the delayed rows is acceptable).
   */
  async markUnpublishedSince(since: Date): Promise<number> {
    const result = await this.dataSource.query<{ affectedRows?: number }>(
      `UPDATE outbox
          SET delay_ms = GREATEST(0, CAST(delay_ms AS SIGNED)
                         - TIMESTAMPDIFF(MICROSECOND, published_at, CURRENT_TIMESTAMP(3)) DIV 1000),
              published_at = NULL
        WHERE published_at >= ?
           OR (published_at IS NOT NULL AND delay_ms > 0
               AND published_at + INTERVAL delay_ms * 1000 MICROSECOND >= ?)`,
      [since, since],
    );
    return result.affectedRows ?? 0;
  }

  async recordFailure(manager: EntityManager, ids: string[], error: string): Promise<void> {
    if (ids.length === 0) return;
    await manager.query('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id IN (?)', [
      error.slice(0, 512),
      ids,
    ]);
  }

  /** Seconds since the oldest unpublished row was written (0 when none): the relay's lag. */
  async oldestUnpublishedAgeSeconds(): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ age: string | number | null }>>(
      `SELECT TIMESTAMPDIFF(MICROSECOND, MIN(created_at), CURRENT_TIMESTAMP(3)) / 1000000 AS age
         FROM outbox WHERE published_at IS NULL`,
    );
    return row?.age == null ? 0 : Math.max(0, Number(row.age));
  }

  async countUnpublished(): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ pending: string | number }>>(
      'SELECT COUNT(*) AS pending FROM outbox WHERE published_at IS NULL',
    );
    return Number(row.pending);
  }

  /** Deletes published rows older than the retention, a bounded batch at a time. */
  async deletePublishedBefore(cutoff: Date, limit: number): Promise<number> {
    const result = await this.dataSource.query<{ affectedRows?: number }>(
      'DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < ? ORDER BY id LIMIT ?',
      [cutoff, limit],
    );
    return result.affectedRows ?? 0;
  }
}
