import {
  Actor,
  ApiProblemResponses,
  type Page,
  ParseOpaqueIdPipe,
  type RequestActor,
  RequirePermission,
} from '@app/common';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOrdersService } from './admin-orders.service';
import {
  CreateFulfilmentDto,
  ListOrdersQueryDto,
  OrderDto,
  OrderPageDto,
  OrderSummaryDto,
  TransitionOrderDto,
} from './dto/order.dto';

const Id = () => Param('id', new ParseOpaqueIdPipe());

@ApiTags('admin: orders')
@Controller({ path: 'admin/orders' })
export class AdminOrdersController {
  constructor(private readonly orders: AdminOrdersService) {}

  @Get()
  @RequirePermission('orders:manage')
  @ApiOperation({ summary: 'All orders, newest first, filtered by status, date, customer, email or total' })
  @ApiOkResponse({ type: OrderPageDto })
  @ApiProblemResponses(400, 401, 403, 422)
  list(@Query() query: ListOrdersQueryDto): Promise<Page<OrderSummaryDto>> {
    return this.orders.list(query);
  }

  @Get(':id')
  @RequirePermission('orders:manage')
  @ApiOperation({ summary: 'An order with its lines, fulfilments and full history' })
  @ApiOkResponse({ type: OrderDto })
  @ApiProblemResponses(400, 401, 403, 404)
  get(@Id() id: string): Promise<OrderDto> {
    return this.orders.get(id);
  }

  @Post(':id/transitions')
  @HttpCode(200)
  @RequirePermission('orders:manage')
  @ApiOperation({
    summary: 'Move the order to another status',
    description:
      'Records a payment (manual methods), a shipment, a delivery, a cancellation or a refund made elsewhere. An illegal move gets 409 with the current status.',
  })
  @ApiOkResponse({ type: OrderDto })
  @ApiProblemResponses(400, 401, 403, 404, 409)
  transition(
    @Actor() actor: RequestActor,
    @Id() id: string,
    @Body() dto: TransitionOrderDto,
  ): Promise<OrderDto> {
    return this.orders.transition(actor, id, dto);
  }

  @Post(':id/fulfilments')
  @RequirePermission('orders:manage')
  @ApiOperation({ summary: 'Record a fulfilment: lines and quantities handed to a carrier' })
  @ApiCreatedResponse({ type: OrderDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422)
  fulfil(
    @Actor() actor: RequestActor,
    @Id() id: string,
    @Body() dto: CreateFulfilmentDto,
  ): Promise<OrderDto> {
    return this.orders.fulfil(actor, id, dto);
  }
}
