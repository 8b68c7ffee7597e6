import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OrderForMail, OrderMailSource } from '../notifications';
import { OrdersRepository } from './orders.repository';

/** The orders' side of the notifications' ORDER_MAIL_SOURCE port: an order as its mail shows it. */
@Injectable()
export class OrderMailSourceAdapter implements OrderMailSource {
  constructor(private readonly orders: OrdersRepository) {}

  async find(manager: EntityManager, orderId: string): Promise<OrderForMail | null> {
    const order = await this.orders.findById(manager, orderId);
    if (!order) return null;
    const [lines, fulfilments] = await Promise.all([
      this.orders.linesOf(manager, order.id),
      this.orders.fulfilmentsOf(manager, order.id),
    ]);
    return {
      email: order.email,
      name: order.billingAddress.firstName,
      number: order.number,
      currency: order.currency,
      paymentMethod: order.paymentMethod,
      shippingMethodName: order.shippingMethodName,
      lines: lines.map(({ title, variantTitle, quantity, total }) => ({
        title,
        variantTitle,
        quantity,
        total,
      })),
      totals: {
        subtotal: order.subtotal,
        discount: order.discount,
        shipping: order.shipping,
        tax: order.tax,
        total: order.total,
        taxIncluded: order.priceMode === 'tax_inclusive',
      },
      shipments: fulfilments.map(({ carrier, trackingNumber }) => ({ carrier, trackingNumber })),
    };
  }
}
