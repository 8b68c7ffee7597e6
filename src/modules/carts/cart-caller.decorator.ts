import { type AuthenticatedRequest, CART_TOKEN_SCHEME, ORDER_TOKEN_SCHEME } from '@app/common';
import { applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import type { UserSnapshot } from '../users';
import type { CartCaller } from './carts.service';

export const CART_TOKEN_HEADER = 'x-cart-token';
/** A guest order is read with the token of the cart it came from; either header name works. */
export const ORDER_TOKEN_HEADER = 'x-order-token';

function callerOf(request: AuthenticatedRequest, headers: readonly string[]): CartCaller {
  const principal = request.principal;
  const header = headers.map((name) => request.headers[name]).find((value) => typeof value === 'string');
  const token = typeof header === 'string' && header.length > 0 && header.length <= 200 ? header : null;
  if (principal?.kind !== 'user') return { customer: null, token };
  const email = (principal.state as UserSnapshot | undefined)?.email;
  return { customer: { id: principal.userId, email: email ? email : null }, token };
}

/**
 * The caller of a cart route: the signed-in customer and/or the `X-Cart-Token` (the header the
 * idempotency scope of checkout is also built from).
 */
export const CallerOfCart = createParamDecorator((_data: unknown, context: ExecutionContext): CartCaller =>
  callerOf(context.switchToHttp().getRequest<AuthenticatedRequest>(), [CART_TOKEN_HEADER]),
);

/** The caller of an order route: the customer, or a guest with the order token (either header). */
export const CallerOfOrder = createParamDecorator((_data: unknown, context: ExecutionContext): CartCaller =>
  callerOf(context.switchToHttp().getRequest<AuthenticatedRequest>(), [
    ORDER_TOKEN_HEADER,
    CART_TOKEN_HEADER,
  ]),
);

/**
 * Documents the guest's alternative to a bearer token: the `cartToken` security scheme
 * (`X-Cart-Token`, see src/bootstrap/swagger.ts), beside the `bearer` of @GuestOrUser().
 */
export const ApiCartToken = (): MethodDecorator & ClassDecorator => ApiSecurity(CART_TOKEN_SCHEME);

/** A guest order is read with `X-Order-Token` or the cart's `X-Cart-Token`: both schemes. */
export const ApiOrderToken = (): MethodDecorator & ClassDecorator =>
  applyDecorators(ApiSecurity(ORDER_TOKEN_SCHEME), ApiSecurity(CART_TOKEN_SCHEME));

/** Open without any credentials too (a guest starting a cart). */
export const ApiAnonymous = (): MethodDecorator & ClassDecorator => ApiSecurity({});
