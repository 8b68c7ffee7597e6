import type { AuthenticatedRequest } from '@app/common';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { UserSnapshot } from '../users/principal-cache';
import type { CartCaller } from './carts.service';

export const CART_TOKEN_HEADER = 'x-cart-token';
/** A guest order is read with the token of the cart it came from; either header name works. */
export const ORDER_TOKEN_HEADER = 'x-order-token';

/** The caller of a cart or guest-order route: the signed-in customer and/or the cart token. */
export const CallerOfCart = createParamDecorator((_data: unknown, context: ExecutionContext): CartCaller => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  const principal = request.principal;
  const header = request.headers[CART_TOKEN_HEADER] ?? request.headers[ORDER_TOKEN_HEADER];
  const token = typeof header === 'string' && header.length > 0 && header.length <= 200 ? header : null;
  if (principal?.kind !== 'user') return { customer: null, token };
  const state = principal.state as UserSnapshot | undefined;
  return { customer: { id: principal.userId, email: state?.email ?? '' }, token };
});

export const ApiCartToken = (): MethodDecorator & ClassDecorator =>
  ApiHeader({
    name: 'X-Cart-Token',
    required: false,
    description: 'A guest cart’s secret (from `POST /v1/carts`). Customers send their access token instead.',
  });

export const ApiOrderToken = (): MethodDecorator & ClassDecorator =>
  ApiHeader({
    name: 'X-Order-Token',
    required: false,
    description:
      'For a guest order: the token of the cart it was placed from (`X-Cart-Token` works too). Customers send their access token.',
  });
