import { EventSubscriber, type EntitySubscriberInterface, type UpdateEvent } from 'typeorm';

/**
 * Keeps every `@UpdateDateColumn` at its declared precision. TypeORM writes `updated_at =
 * CURRENT_TIMESTAMP` into each UPDATE it builds (save() and query-builder updates alike), which MySQL
 * and MariaDB evaluate to whole seconds: a row created at 12:00:00.900 and changed in the same second
 * read `updatedAt` 12:00:00.000, earlier than its `createdAt`. Setting the column to
 * `CURRENT_TIMESTAMP(<precision>)` before the UPDATE is built stops TypeORM adding its own; save()
 * then reloads the value MySQL wrote. An update that sets the column itself is left alone.
 */
@EventSubscriber()
export class MillisecondUpdateDates implements EntitySubscriberInterface {
  beforeUpdate(event: UpdateEvent<object>): void {
    const column = event.metadata.updateDateColumn;
    const entity = event.entity;
    if (!column || !entity) return;
    const value: unknown = column.getEntityValue(entity);
    const loaded: unknown = event.databaseEntity ? column.getEntityValue(event.databaseEntity) : undefined;
    const unchanged =
      value === undefined ||
      (value instanceof Date && loaded instanceof Date && value.getTime() === loaded.getTime());
    if (!unchanged) return;
    const precision = column.precision ?? 3;
    column.setEntityValue(entity, () => `CURRENT_TIMESTAMP(${precision})`);
  }
}
