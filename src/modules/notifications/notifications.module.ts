import { Module } from '@nestjs/common';
import { AuditRecorderModule } from '../audit';
import { AdminFailedJobsController } from './failed-jobs/admin-failed-jobs.controller';
import { FailedJobsService } from './failed-jobs/failed-jobs.service';
import { WebhooksModule } from './webhooks/webhooks.module';
import { NotificationsRealtimeModule } from './realtime/notifications-realtime.module';

/**
 * The API side of notifications: outgoing webhook endpoints and their deliveries, the real-time
 * event stream and the view of jobs that ran out of retries. Imported only by the API.
 */
@Module({
  imports: [AuditRecorderModule, WebhooksModule, NotificationsRealtimeModule],
  controllers: [AdminFailedJobsController],
  providers: [FailedJobsService],
})
export class NotificationsModule {}
