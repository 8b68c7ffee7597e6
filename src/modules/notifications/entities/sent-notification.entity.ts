import { CreatedAtColumn } from '@app/database';
import { Entity, PrimaryColumn } from 'typeorm';

/**
 * A customer notification that was written to the outbox for one domain event: the row is what makes
 * it once. Bull's own dedup (the job id) lasts only as long as the completed job is kept; this row
 * lasts as long as the table is not pruned.
 */
@Entity({ name: 'notifications_sent' })
export class SentNotification {
  /** The domain event's id (its outbox id). */
  @PrimaryColumn({ type: 'varchar', length: 40, name: 'event_id' })
  eventId: string;

  /** The mail template sent for it (one event may, in principle, cause several kinds). */
  @PrimaryColumn({ type: 'varchar', length: 40, name: 'template' })
  template: string;

  @CreatedAtColumn()
  createdAt: Date;
}
