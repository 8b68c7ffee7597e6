import { Module } from '@nestjs/common';
import { EventStreamsService } from './event-streams.service';
import { EventsController } from './events.controller';
import { RealtimeHubService } from './realtime-hub.service';
import { StreamTicketsService } from './stream-tickets.service';

/**
 * The API side of real-time events: `GET /v1/events` and its tickets. Needs the ORDER_AUDIENCE and
 * SESSION_CHECK ports, bound by the process root (orders and auth provide them).
 */
@Module({
  controllers: [EventsController],
  providers: [RealtimeHubService, StreamTicketsService, EventStreamsService],
})
export class NotificationsRealtimeModule {}
