import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** The `notifications_sent` claims: one row per (event, template). */
@Injectable()
export class SentNotificationsRepository {
  /**
   * Claims the right to send `template` for event `eventId`: true for the first caller, false when a
   * row exists already. The insert takes the key's lock, so a concurrent claimer waits for this
   * transaction and then finds the row (or takes over if this one rolled back).
   */
  async claim(manager: EntityManager, eventId: string, template: string): Promise<boolean> {
    const result = await manager.query<{ affectedRows: number }>(
      'INSERT IGNORE INTO notifications_sent (event_id, template) VALUES (?, ?)',
      [eventId, template],
    );
    return Number(result.affectedRows) === 1;
  }
}
