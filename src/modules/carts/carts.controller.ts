import { ApiProblemResponses, GuestOrUser, ParseOpaqueIdPipe } from '@app/common';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiAnonymous, ApiCartToken, CallerOfCart } from './cart-caller.decorator';
import { CartDetailsService } from './cart-details.service';
import { type CartCaller, CartsService } from './carts.service';
import {
  AddCartItemDto,
  ApplyPromotionDto,
  CreateCartDto,
  SetAddressesDto,
  SetShippingMethodDto,
  UpdateCartItemDto,
} from './dto/cart-input.dto';
import { CartDto, CreatedCartDto } from './dto/cart.response.dto';

const Id = (name = 'id') => Param(name, new ParseOpaqueIdPipe());

@ApiTags('carts')
@ApiCartToken()
@GuestOrUser()
@Controller({ path: 'carts' })
export class CartsController {
  constructor(
    private readonly carts: CartsService,
    private readonly details: CartDetailsService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Start a cart',
    description:
      'A guest gets a new cart and its secret `token` (shown once). A signed-in customer gets their open cart (200) or a new one (201).',
  })
  @ApiBody({ type: CreateCartDto, required: false })
  @ApiAnonymous()
  @ApiCreatedResponse({ type: CreatedCartDto })
  @ApiOkResponse({ type: CartDto })
  @ApiProblemResponses(400, 401, 403)
  async create(
    @CallerOfCart() caller: CartCaller,
    @Body() dto: CreateCartDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedCartDto> {
    const { created, cart } = await this.carts.create(caller, dto);
    void reply.status(created ? 201 : 200);
    return cart;
  }

  @Get(':id')
  @ApiOperation({ summary: 'A cart, priced now, with what stands between it and checkout' })
  @ApiOkResponse({ type: CartDto })
  @ApiProblemResponses(400, 401, 403, 404)
  get(@CallerOfCart() caller: CartCaller, @Id() id: string): Promise<CartDto> {
    return this.carts.get(caller, id);
  }

  @Post(':id/items')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a variant (adding it again raises the quantity)' })
  @ApiOkResponse({ type: CartDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422)
  addItem(
    @CallerOfCart() caller: CartCaller,
    @Id() id: string,
    @Body() dto: AddCartItemDto,
  ): Promise<CartDto> {
    return this.carts.addItem(caller, id, dto);
  }

  @Patch(':id/items/:itemId')
  @ApiOperation({ summary: 'Change a line’s quantity (1-999)' })
  @ApiOkResponse({ type: CartDto })
  @ApiProblemResponses(400, 401, 403, 404, 409)
  updateItem(
    @CallerOfCart() caller: CartCaller,
    @Id() id: string,
    @Id('itemId') itemId: string,
    @Body() dto: UpdateCartItemDto,
  ): Promise<CartDto> {
    return this.carts.updateItem(caller, id, itemId, dto);
  }

  @Delete(':id/items/:itemId')
  @ApiOperation({ summary: 'Remove a line' })
  @ApiOkResponse({ type: CartDto })
  @ApiProblemResponses(400, 401, 403, 404, 409)
  removeItem(
    @CallerOfCart() caller: CartCaller,
    @Id() id: string,
    @Id('itemId') itemId: string,
  ): Promise<CartDto> {
    return this.carts.removeItem(caller, id, itemId);
  }

  @Put(':id/promotion')
  @ApiOperation({ summary: 'Apply a promotion code (`{"code": null}` removes it)' })
  @ApiOkResponse({ type: CartDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422)
  setPromotion(
    @CallerOfCart() caller: CartCaller,
    @Id() id: string,
    @Body() dto: ApplyPromotionDto,
  ): Promise<CartDto> {
    return this.details.setPromotion(caller, id, dto);
  }

  @Put(':id/addresses')
  @ApiOperation({ summary: 'Set the shipping and billing addresses (and a guest’s email)' })
  @ApiOkResponse({ type: CartDto })
  @ApiProblemResponses(400, 401, 403, 404, 409)
  setAddresses(
    @CallerOfCart() caller: CartCaller,
    @Id() id: string,
    @Body() dto: SetAddressesDto,
  ): Promise<CartDto> {
    return this.details.setAddresses(caller, id, dto);
  }

  @Put(':id/shipping-method')
  @ApiOperation({ summary: 'Choose one of the shipping methods offered for the shipping address' })
  @ApiOkResponse({ type: CartDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422)
  setShippingMethod(
    @CallerOfCart() caller: CartCaller,
    @Id() id: string,
    @Body() dto: SetShippingMethodDto,
  ): Promise<CartDto> {
    return this.details.setShippingMethod(caller, id, dto);
  }
}
