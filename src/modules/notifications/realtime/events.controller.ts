import {
  ApiProblemResponses,
  type AuthenticatedRequest,
  CART_TOKEN_SCHEME,
  GuestOrUser,
  ORDER_TOKEN_SCHEME,
} from '@app/common';
import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CreateEventTicketDto, EventTicketResponseDto, ListenToEventsQueryDto } from './dto/event-ticket.dto';
import { EventStreamsService } from './event-streams.service';
import { StreamTicketsService } from './stream-tickets.service';

@ApiTags('events')
@Controller({ path: 'events' })
export class EventsController {
  constructor(
    private readonly streams: EventStreamsService,
    private readonly tickets: StreamTicketsService,
  ) {}

  @Get()
  @GuestOrUser()
  @ApiSecurity({})
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary: 'Real-time events (Server-Sent Events)',
    description:
      'A `text/event-stream` of domain events: a customer gets their own orders’ and payments’ events, a guest one order’s (with a ticket), staff what their permissions cover. Authenticate with `Authorization: Bearer` or a single-use `?ticket=` from `POST /v1/events/tickets`. Each event’s `id:` is its position; reconnect with `Last-Event-ID` (or `?lastEventId=`) to get exactly the events missed. A `ready` event marks the end of the replay; `: ping` comments keep the connection alive.',
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'Resume after this event id (an EventSource sends it by itself when it reconnects).',
  })
  @ApiOkResponse({
    description: 'The event stream (stays open).',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiProblemResponses(400, 401, 403, 429)
  listen(
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query() query: ListenToEventsQueryDto,
  ): Promise<void> {
    return this.streams.open(request, reply, query);
  }

  @Post('tickets')
  @GuestOrUser()
  @ApiSecurity(ORDER_TOKEN_SCHEME)
  @ApiSecurity(CART_TOKEN_SCHEME)
  @ApiOperation({
    summary: 'A single-use ticket to open the event stream from a browser',
    description:
      'Signed in: a ticket for your own feed. A guest: send `orderId` and the order token (`X-Order-Token`) to follow that order. The ticket expires after `expiresIn` seconds or its first use.',
  })
  @ApiCreatedResponse({ type: EventTicketResponseDto })
  @ApiProblemResponses(400, 401, 403, 404, 422)
  issueTicket(
    @Req() request: AuthenticatedRequest,
    @Body() dto: CreateEventTicketDto,
  ): Promise<EventTicketResponseDto> {
    return this.tickets.issueFor(request, dto.orderId);
  }
}
