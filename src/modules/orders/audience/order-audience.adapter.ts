import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { OrderAudience } from '../../notifications';
import { OrderLookupService } from '../order-lookup.service';
import { OrderNotFoundError } from '../orders.errors';

/** Notifications' ORDER_AUDIENCE port: whose an order is, for real-time event filtering. */
@Injectable()
export class OrderAudienceAdapter implements OrderAudience {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly lookup: OrderLookupService,
  ) {}

  async customerOf(orderId: string): Promise<string | null | undefined> {
    try {
      const order = await this.transactions.run((tx) => this.lookup.find(tx, orderId));
      return order.customerId;
    } catch (error) {
      if (error instanceof OrderNotFoundError) return undefined;
      throw error;
    }
  }

  async guestMayFollow(orderId: string, token: string): Promise<boolean> {
    try {
      const order = await this.transactions.run((tx) =>
        this.lookup.visible(tx, { customer: null, token }, orderId, false),
      );
      // By id only: a ticket names the order as the events do.
      return order.id === orderId;
    } catch (error) {
      if (error instanceof OrderNotFoundError) return false;
      throw error;
    }
  }
}
