import {
  ApiProblemResponses,
  Authenticated,
  CurrentUser,
  GuestOrUser,
  type Page,
  ParseOpaqueIdPipe,
  type UserPrincipal,
} from '@app/common';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiOrderToken, CallerOfOrder, type CartCaller } from '../carts';
import {
  CancelOrderDto,
  ListMyOrdersQueryDto,
  OrderDto,
  OrderPageDto,
  OrderSummaryDto,
} from './dto/order.dto';
import { OrdersService } from './orders.service';

const Id = () => Param('id', new ParseOpaqueIdPipe());

@ApiTags('orders')
@Controller({ path: 'orders' })
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'My orders, newest first' })
  @ApiOkResponse({ type: OrderPageDto })
  @ApiProblemResponses(400, 401, 403)
  list(
    @CurrentUser() user: UserPrincipal,
    @Query() query: ListMyOrdersQueryDto,
  ): Promise<Page<OrderSummaryDto>> {
    return this.orders.listMine(user.userId, query);
  }

  @Get(':id')
  @GuestOrUser()
  @ApiOrderToken()
  @ApiOperation({ summary: 'One of my orders (a guest sends the order token)' })
  @ApiOkResponse({ type: OrderDto })
  @ApiProblemResponses(400, 401, 403, 404)
  get(@CallerOfOrder() caller: CartCaller, @Id() id: string): Promise<OrderDto> {
    return this.orders.get(caller, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @GuestOrUser()
  @ApiOrderToken()
  @ApiOperation({
    summary: 'Cancel my order while it is unpaid or not yet fulfilled',
    description:
      'Its stock and promotion use are released. A paid order’s money goes back by itself: a card authorization is voided, a captured card payment refunded (a payment recorded by hand is flagged for staff).',
  })
  @ApiOkResponse({ type: OrderDto })
  @ApiProblemResponses(400, 401, 403, 404, 409)
  cancel(
    @CallerOfOrder() caller: CartCaller,
    @Id() id: string,
    @Body() dto: CancelOrderDto,
  ): Promise<OrderDto> {
    return this.orders.cancel(caller, id, dto);
  }
}
