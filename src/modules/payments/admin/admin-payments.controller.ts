import {
  Actor,
  ApiProblemResponses,
  Idempotent,
  ParseOpaqueIdPipe,
  type RequestActor,
  RequirePermission,
} from '@app/common';
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  CapturePaymentDto,
  CreateRefundDto,
  PaymentDto,
  RecordManualPaymentDto,
  RefundDto,
} from '../dto/payment.dto';
import { AdminPaymentsService } from './admin-payments.service';

const Id = () => Param('id', new ParseOpaqueIdPipe());

@ApiTags('admin: payments')
@Controller({ path: 'admin' })
export class AdminPaymentsController {
  constructor(private readonly payments: AdminPaymentsService) {}

  @Get('orders/:id/payments')
  @RequirePermission('payments:manage')
  @ApiOperation({ summary: 'An order’s payments with every provider call and event' })
  @ApiOkResponse({ type: [PaymentDto] })
  @ApiProblemResponses(400, 401, 403, 404)
  list(@Id() id: string): Promise<PaymentDto[]> {
    return this.payments.ofOrder(id);
  }

  @Post('orders/:id/payments')
  @RequirePermission('payments:manage')
  @Idempotent()
  @ApiOperation({
    summary: 'Record a manual payment (bank transfer, cash on delivery): the order is paid',
    description:
      'An order awaiting payment becomes `paid`. A cash-on-delivery order already fulfilled, shipped or delivered keeps its status and is marked paid in place (`paidAt`, `order.paid`). 409 `order-not-payable` when the order is paid already or cancelled.',
  })
  @ApiCreatedResponse({ type: PaymentDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422)
  record(
    @Actor() actor: RequestActor,
    @Id() id: string,
    @Body() dto: RecordManualPaymentDto,
  ): Promise<PaymentDto> {
    return this.payments.recordManual(actor, id, dto);
  }

  @Post('payments/:id/capture')
  @HttpCode(202)
  @RequirePermission('payments:manage')
  @Idempotent()
  @ApiOperation({ summary: 'Capture an authorized payment, all or part (made by a job)' })
  @ApiAcceptedResponse({ type: PaymentDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422)
  capture(
    @Actor() actor: RequestActor,
    @Id() id: string,
    @Body() dto: CapturePaymentDto,
  ): Promise<PaymentDto> {
    return this.payments.capture(actor, id, dto);
  }

  @Post('payments/:id/refunds')
  @HttpCode(202)
  @RequirePermission('payments:manage')
  @Idempotent()
  @ApiOperation({ summary: 'Refund part or all of a captured payment (made by a job; several per payment)' })
  @ApiAcceptedResponse({ type: RefundDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422)
  refund(@Actor() actor: RequestActor, @Id() id: string, @Body() dto: CreateRefundDto): Promise<RefundDto> {
    return this.payments.refund(actor, id, dto);
  }
}
