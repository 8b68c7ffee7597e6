import { Module } from '@nestjs/common';

/**
 * The API side of notifications: outgoing webhook endpoints and their deliveries, the real-time
 * event stream and the view of jobs that ran out of retries. Imported only by the API.
 */
@Module({
  imports: [],
  controllers: [],
  providers: [],
})
export class NotificationsModule {}
