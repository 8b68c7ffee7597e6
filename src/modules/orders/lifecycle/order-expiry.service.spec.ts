import type { TransactionRunner } from '@app/database';
import type { EntityManager } from 'typeorm';
import { OrderExpiryService } from './order-expiry.service';
import type { OrderTransitionsService } from './order-transitions.service';
import type { OrdersRepository } from '../orders.repository';

/** The sweep's loop, with the database replaced by typed mocks (the e2e test covers the real path). */
describe('OrderExpiryService.expireOverdue', () => {
  const manager = {} as EntityManager;
  const transactions = { run: jest.fn((work: (m: EntityManager) => unknown) => work(manager)) };
  const overdue = jest.fn<ReturnType<OrdersRepository['overdue']>, Parameters<OrdersRepository['overdue']>>();
  const orders = { overdue } as unknown as OrdersRepository;
  const expiry = new OrderExpiryService(
    transactions as unknown as TransactionRunner,
    orders,
    {} as OrderTransitionsService,
  );
  const at = (id: string, minute: number) => ({ id, expiresAt: new Date(Date.UTC(2026, 0, 1, 0, minute)) });

  beforeEach(() => jest.clearAllMocks());

  it('skips an order that fails and goes on with the rest', async () => {
    overdue.mockResolvedValueOnce([at('bad', 1), at('good', 2)]);
    const expire = jest
      .spyOn(expiry, 'expire')
      .mockRejectedValueOnce(new Error('reservation missing'))
      .mockResolvedValueOnce(true);
    await expect(expiry.expireOverdue(new Date(), 10)).resolves.toBe(1);
    expect(expire.mock.calls.map(([id]) => id)).toEqual(['bad', 'good']);
  });

  it('pages on from the last order of a full batch, so unexpirable orders cannot loop it forever', async () => {
    overdue.mockResolvedValueOnce([at('a', 1), at('b', 2)]).mockResolvedValueOnce([at('c', 3)]);
    jest.spyOn(expiry, 'expire').mockResolvedValue(false);
    await expect(expiry.expireOverdue(new Date(), 2)).resolves.toBe(0);
    expect(overdue).toHaveBeenCalledTimes(2);
    expect(overdue.mock.calls[1][3]).toEqual(at('b', 2));
  });
});
