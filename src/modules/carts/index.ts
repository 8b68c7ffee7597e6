// The public surface of the carts feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { ApiCartToken, ApiOrderToken, CallerOfCart, CallerOfOrder } from './cart-caller.decorator';
export type { CartQuote } from './cart-quotes.service';
export { CartFunnelService } from './cart-funnel.service';
export type { CartCohort } from './cart-funnel.service';
export { CartClosedError } from './carts.errors';
export { CartsModule } from './carts.module';
export { CartsService } from './carts.service';
export type { CartCaller } from './carts.service';
export { AddressDto } from './dto/cart-input.dto';
