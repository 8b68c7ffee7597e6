import { actorName, type Page, type RequestActor } from '@app/common';
import { TransactionContext, TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit';
import { ReservationsService } from '../inventory';
import type {
  CreateFulfilmentDto,
  ListOrdersQueryDto,
  OrderDto,
  OrderSummaryDto,
  TransitionOrderDto,
} from './dto/order.dto';
import type { Order } from './entities/order.entity';
import { OrderReadsService } from './order-reads.service';
import { canTransition, FULFILMENT_STATES } from './lifecycle/order-status';
import { OrderTransitionsService, reservationOf } from './lifecycle/order-transitions.service';
import { FulfilmentInvalidError, IllegalTransitionError, OrderNotFoundError } from './orders.errors';
import { OrdersRepository } from './orders.repository';

/** Staff's view of every order, status changes by hand, and fulfilments — all audited. */
@Injectable()
export class AdminOrdersService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly reads: OrderReadsService,
    private readonly transitions: OrderTransitionsService,
    private readonly reservations: ReservationsService,
    private readonly audit: AuditService,
  ) {}

  list(query: ListOrdersQueryDto): Promise<Page<OrderSummaryDto>> {
    return this.transactions.run((manager) =>
      this.reads.page(
        manager,
        {
          limit: query.limit,
          status: query.status,
          customerId: query.customerId,
          email: query.email,
          createdFrom: query.from ? new Date(query.from) : undefined,
          createdTo: query.to ? new Date(query.to) : undefined,
          minTotal: query.minTotal,
          maxTotal: query.maxTotal,
        },
        query.cursor,
      ),
    );
  }

  get(id: string): Promise<OrderDto> {
    return this.transactions.run(async (manager) => {
      const order = await this.orders.findByIdOrNumber(manager, id);
      if (!order) throw new OrderNotFoundError(id);
      return this.reads.detail(manager, order, { actors: true });
    });
  }

  /** Record a payment, a shipment, a delivery, a cancellation or a refund made elsewhere. */
  transition(actor: RequestActor, id: string, dto: TransitionOrderDto): Promise<OrderDto> {
    return this.change(actor, id, async (manager, order) => {
      if (FULFILMENT_STATES.includes(dto.to))
        throw new IllegalTransitionError(
          order.status,
          dto.to,
          `An order becomes ${dto.to} by recording a fulfilment (POST /v1/admin/orders/{id}/fulfilments).`,
        );
      const from = order.status;
      await this.transitions.apply(manager, order, dto.to, {
        actor: actorName(actor.principal),
        reason: dto.reason ?? null,
      });
      await this.audit.record(manager, actor, {
        action: 'order.transitioned',
        target: { type: 'order', id },
        details: { from, to: dto.to, reason: dto.reason ?? null },
      });
    });
  }

  /** Staff pick lines and quantities for a carrier: those units move from reserved to sold. */
  fulfil(actor: RequestActor, id: string, dto: CreateFulfilmentDto): Promise<OrderDto> {
    return this.change(actor, id, async (manager, order) => {
      if (!canTransition(order, 'partially_fulfilled') && !canTransition(order, 'fulfilled'))
        throw new IllegalTransitionError(
          order.status,
          'fulfilled',
          `Only a paid order (or a cash-on-delivery order not shipped yet) can be fulfilled; this ${order.paymentMethod} order is ${order.status}.`,
        );
      const lines = await this.orders.linesOf(manager, id);
      const requested = new Map<string, number>();
      for (const line of dto.lines)
        requested.set(line.orderLineId, (requested.get(line.orderLineId) ?? 0) + line.quantity);
      for (const [lineId, quantity] of requested) {
        const line = lines.find((candidate) => candidate.id === lineId);
        if (!line)
          throw new FulfilmentInvalidError(`The order has no line ${lineId}.`, { orderLineId: lineId });
        const open = line.quantity - line.fulfilledQuantity;
        if (quantity > open)
          throw new FulfilmentInvalidError(
            `Line ${line.sku} has ${open} unit(s) left to fulfil, not ${quantity}.`,
            { orderLineId: lineId, open, requested: quantity },
          );
      }
      const who = actorName(actor.principal);
      const fulfilmentId = await this.orders.insertFulfilment(
        manager,
        id,
        { carrier: dto.carrier, trackingNumber: dto.trackingNumber, actor: who },
        [...requested].map(([orderLineId, quantity]) => ({ orderLineId, quantity })),
      );
      for (const [lineId, quantity] of requested) await this.orders.addFulfilled(manager, lineId, quantity);
      await this.reservations.commitPartWithin(
        manager,
        reservationOf(id),
        [...requested].map(([lineId, quantity]) => ({
          variantId: lines.find((line) => line.id === lineId)!.variantId,
          quantity,
        })),
        who,
      );
      const complete = lines.every(
        (line) => line.fulfilledQuantity + (requested.get(line.id) ?? 0) >= line.quantity,
      );
      await this.transitions.apply(manager, order, complete ? 'fulfilled' : 'partially_fulfilled', {
        actor: who,
        reason: `fulfilment ${fulfilmentId} (${dto.carrier} ${dto.trackingNumber})`,
        fulfilmentId,
      });
      await this.audit.record(manager, actor, {
        action: 'order.fulfilled',
        target: { type: 'order', id },
        details: { fulfilmentId, carrier: dto.carrier, lines: Object.fromEntries(requested), complete },
      });
    });
  }

  private async change(
    actor: RequestActor,
    id: string,
    work: (tx: TransactionContext, order: Order) => Promise<void>,
  ): Promise<OrderDto> {
    return this.transactions.run(async (tx) => {
      const order = await this.orders.lockById(tx, id);
      if (!order) throw new OrderNotFoundError(id);
      await work(tx, order);
      const fresh = (await this.orders.findById(tx, id))!;
      return this.reads.detail(tx, fresh, { actors: true });
    });
  }
}
