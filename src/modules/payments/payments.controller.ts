import { ApiProblemResponses, GuestOrUser, Idempotent, ParseOpaqueIdPipe, Public } from '@app/common';
import { Body, Controller, Headers, HttpCode, Param, Post, Req, type RawBodyRequest } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiOrderToken, CallerOfOrder, type CartCaller } from '../carts';
import { PaymentDto, StartPaymentDto } from './dto/payment.dto';
import { PaymentEventsService } from './intake/payment-events.service';
import { PaymentsService } from './intake/payments.service';

@ApiTags('payments')
@Controller()
export class PaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly events: PaymentEventsService,
  ) {}

  @Post('orders/:id/payments')
  @GuestOrUser()
  @ApiOrderToken()
  @Idempotent()
  @ApiOperation({
    summary: 'Pay an order awaiting payment by card (Idempotency-Key required)',
    description:
      'Answers with the payment: `captured`/`authorized` (the order is paid), `failed` (declined: try another card), or `pending` (the provider settles it later by webhook). A retry with the same key never charges twice.',
  })
  @ApiCreatedResponse({ type: PaymentDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422, 503)
  start(
    @CallerOfOrder() caller: CartCaller,
    @Param('id', new ParseOpaqueIdPipe()) id: string,
    @Body() dto: StartPaymentDto,
    // Present: @Idempotent() refuses the request without it.
    @Headers('idempotency-key') requestKey: string,
  ): Promise<PaymentDto> {
    return this.payments.start(caller, id, dto, requestKey);
  }

  @Post('payments/webhooks/:provider')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Inbound webhook of a payment provider (sandbox, stripe)',
    description:
      'Verifies the signature over the raw body (Stripe scheme, 300 s tolerance) before anything else: a bad or stale one is 400 and changes nothing. Each event is recorded once (a redelivery answers `duplicate: true`) and applied by a job.',
  })
  @ApiHeader({
    name: 'Stripe-Signature',
    required: true,
    description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` with the provider’s webhook secret',
  })
  @ApiBody({
    description: 'The provider’s event, verified over its exact bytes (Stripe event shape)',
    schema: {
      type: 'object',
      required: ['id', 'type', 'data'],
      properties: {
        id: { type: 'string', example: 'evt_1' },
        type: { type: 'string', example: 'payment_intent.succeeded' },
        created: { type: 'integer' },
        data: {
          type: 'object',
          required: ['object'],
          properties: { object: { type: 'object', additionalProperties: true } },
        },
      },
    },
  })
  @ApiOkResponse({
    description: 'Recorded (or a redelivery of an event recorded before)',
    schema: {
      type: 'object',
      required: ['received', 'duplicate'],
      properties: { received: { type: 'boolean', enum: [true] }, duplicate: { type: 'boolean' } },
    },
  })
  @ApiProblemResponses(400, 404)
  webhook(
    @Param('provider') provider: string,
    @Req() request: RawBodyRequest<FastifyRequest>,
  ): Promise<{ received: true; duplicate: boolean }> {
    return this.events.receive(provider, request.rawBody, request.headers);
  }
}
