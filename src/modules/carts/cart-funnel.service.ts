import { ReplicaReads } from '@app/database';
import { Injectable } from '@nestjs/common';
import { CartsRepository } from './carts.repository';

export interface CartCohort {
  /** Carts created in the range (guest carts later merged into a customer's cart included). */
  created: number;
  /** Of those, the carts that became an order. */
  checkedOut: number;
  /** Of those, the carts whose order was paid (at any time since, refunded or not). */
  paid: number;
}

/**
 * What became of the carts created in a time range (the funnel report). Read from the carts and
 * orders themselves: neither is ever deleted, and creating a cart costs no extra statement for it.
 */
@Injectable()
export class CartFunnelService {
  constructor(
    private readonly carts: CartsRepository,
    private readonly reads: ReplicaReads,
  ) {}

  cohort(from: Date, to: Date): Promise<CartCohort> {
    // A report: the read replica's carts and orders will do (see ReplicaReads.lagging).
    return this.reads.lagging((manager) => this.carts.cohort(manager, from, to));
  }
}
