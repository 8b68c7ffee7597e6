import type {
  Fulfilment,
  FulfilmentLine,
  Order,
  OrderHistoryEntry,
  OrderLine,
} from './entities/order.entity';
import type { OrderDto, OrderSummaryDto } from './dto/order.dto';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** The order as its customer or staff see it; `actors` shows who made each change (staff only). */
export function toOrderDto(
  order: Order,
  lines: OrderLine[],
  history: OrderHistoryEntry[],
  fulfilments: Array<Fulfilment & { lines: FulfilmentLine[] }>,
  options: { actors: boolean },
): OrderDto {
  return {
    id: order.id,
    number: order.number,
    status: order.status,
    customerId: order.customerId,
    email: order.email,
    paymentMethod: order.paymentMethod,
    currency: order.currency,
    totals: {
      subtotal: order.subtotal,
      discount: order.discount,
      shipping: order.shipping,
      shippingTax: order.shippingTax,
      tax: order.tax,
      total: order.total,
      taxRateBp: order.taxRateBp,
      taxIncluded: order.priceMode === 'tax_inclusive',
    },
    promotionCode: order.promotionCode,
    shippingMethodName: order.shippingMethodName,
    shippingAddress: order.shippingAddress,
    billingAddress: order.billingAddress,
    lines: lines.map((line) => ({
      id: line.id,
      variantId: line.variantId,
      productId: line.productId,
      sku: line.sku,
      title: line.title,
      variantTitle: line.variantTitle,
      unitPrice: line.unitPrice,
      quantity: line.quantity,
      subtotal: line.subtotal,
      discount: line.discount,
      tax: line.tax,
      total: line.total,
      fulfilledQuantity: line.fulfilledQuantity,
      restockedQuantity: line.restockedQuantity,
    })),
    fulfilments: fulfilments.map((fulfilment) => ({
      id: fulfilment.id,
      carrier: fulfilment.carrier,
      trackingNumber: fulfilment.trackingNumber,
      createdAt: fulfilment.createdAt.toISOString(),
      lines: fulfilment.lines.map(({ orderLineId, quantity }) => ({ orderLineId, quantity })),
    })),
    history: history.map((entry) => ({
      from: entry.fromStatus,
      to: entry.toStatus,
      at: entry.createdAt.toISOString(),
      reason: entry.reason,
      ...(options.actors ? { actor: entry.actor } : {}),
    })),
    expiresAt: iso(order.expiresAt),
    paidAt: iso(order.paidAt),
    cancelledAt: iso(order.cancelledAt),
    version: order.version,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

export function toOrderSummary(order: Order, itemCount: number): OrderSummaryDto {
  return {
    id: order.id,
    number: order.number,
    status: order.status,
    customerId: order.customerId,
    email: order.email,
    currency: order.currency,
    total: order.total,
    itemCount,
    createdAt: order.createdAt.toISOString(),
  };
}
