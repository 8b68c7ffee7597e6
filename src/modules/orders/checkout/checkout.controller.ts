import { ApiProblemResponses, GuestOrUser, Idempotent, ParseOpaqueIdPipe } from '@app/common';
import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiCartToken, CallerOfCart, type CartCaller } from '../../carts';
import { CheckoutService } from './checkout.service';
import { CheckoutDto, OrderDto } from '../dto/order.dto';

@ApiTags('carts')
@Controller({ path: 'carts' })
export class CheckoutController {
  constructor(private readonly checkouts: CheckoutService) {}

  @Post(':id/checkout')
  @GuestOrUser()
  @ApiCartToken()
  @Idempotent()
  @ApiOperation({
    summary: 'Place the order (Idempotency-Key required)',
    description:
      'Prices the cart anew, reserves every line (all or none), uses the promotion, and creates the order awaiting payment. Out of stock: 409 naming each line; nothing is reserved.',
  })
  @ApiCreatedResponse({ type: OrderDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422)
  checkout(
    @CallerOfCart() caller: CartCaller,
    @Param('id', new ParseOpaqueIdPipe()) id: string,
    @Body() dto: CheckoutDto,
  ): Promise<OrderDto> {
    return this.checkouts.checkout(caller, id, dto);
  }
}
