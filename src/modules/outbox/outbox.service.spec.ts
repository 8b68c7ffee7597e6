import { FakeTransactions } from '@app/testing/unit-fixture';
import type { EntityManager } from 'typeorm';
import type { OutboxRoutes } from './outbox-jobs';
import type { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';

describe('OutboxService.enqueue', () => {
  const manager = {} as EntityManager;
  const insert = jest.fn<ReturnType<OutboxRepository['insert']>, Parameters<OutboxRepository['insert']>>();
  // Two routes are enough here; the full table is typed (and checked for completeness) in src/bootstrap/outbox-routes.ts.
  const routes = { 'orders.expire': 'orders', 'order.placed': 'events' } as Partial<OutboxRoutes>;
  const service = new OutboxService({ insert } as unknown as OutboxRepository, routes as OutboxRoutes);

  beforeEach(() => insert.mockReset().mockResolvedValue(undefined));

  it("writes the messages in one insert, each on its job's queue, with its payload and delay as given", async () => {
    const placed = {
      orderId: 'o1',
      number: 'SK-1',
      customerId: null,
      from: null,
      to: 'pending_payment',
      total: 2490,
      currency: 'EUR',
    };
    await service.enqueue(
      manager,
      { jobName: 'order.placed', payload: placed },
      { jobName: 'orders.expire', payload: { orderId: 'o1' }, delayMs: 900_000 },
    );
    expect(insert).toHaveBeenCalledTimes(1);
    expect(insert).toHaveBeenCalledWith(manager, [
      { queue: 'events', jobName: 'order.placed', payload: placed, traceContext: null },
      {
        queue: 'orders',
        jobName: 'orders.expire',
        payload: { orderId: 'o1' },
        delayMs: 900_000,
        traceContext: null,
      },
    ]);
  });

  it('inside a transaction, collects every enqueue and writes them in one insert just before the commit', async () => {
    const transactions = new FakeTransactions();
    await transactions.runner.run(async (tx) => {
      await service.enqueue(tx, { jobName: 'order.placed', payload: { orderId: 'o1' } as never });
      await service.enqueue(tx, { jobName: 'orders.expire', payload: { orderId: 'o1' } });
      expect(insert).not.toHaveBeenCalled();
    });
    expect(insert).toHaveBeenCalledTimes(1);
    expect(insert.mock.calls[0][1].map((row) => row.jobName)).toEqual(['order.placed', 'orders.expire']);
  });
});
