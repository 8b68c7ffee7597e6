import { loadConfig, withOverrides } from '@app/config';
import type { TransactionRunner } from '@app/database';
import type { EntityManager } from 'typeorm';
import type { OutboxService } from '../../outbox/outbox.service';
import type { Order } from '../entities/order.entity';
import type { OrdersRepository } from '../orders.repository';
import { PaymentRemindersService } from './payment-reminders.service';

/** The reminder's decisions with the database replaced by typed mocks (the e2e test races the real one). */
describe('PaymentRemindersService', () => {
  const manager = {} as EntityManager;
  const transactions = { run: jest.fn((work: (m: EntityManager) => unknown) => work(manager)) };
  const claimPaymentReminder = jest.fn<
    ReturnType<OrdersRepository['claimPaymentReminder']>,
    Parameters<OrdersRepository['claimPaymentReminder']>
  >();
  const findById = jest.fn<
    ReturnType<OrdersRepository['findById']>,
    Parameters<OrdersRepository['findById']>
  >();
  const paymentRemindersDue = jest.fn<
    ReturnType<OrdersRepository['paymentRemindersDue']>,
    Parameters<OrdersRepository['paymentRemindersDue']>
  >();
  const orders = { claimPaymentReminder, findById, paymentRemindersDue } as unknown as OrdersRepository;
  const enqueue = jest.fn<ReturnType<OutboxService['enqueue']>, Parameters<OutboxService['enqueue']>>();
  const outbox = { enqueue } as unknown as OutboxService;
  const reminders = (reminderHours = 48) =>
    new PaymentRemindersService(
      transactions as unknown as TransactionRunner,
      orders,
      outbox,
      withOverrides(loadConfig({}), {
        payments: { bankTransferReminderHours: reminderHours, bankTransferInstructions: 'IBAN DE89' },
      }),
    );
  const now = new Date('2026-12-05T12:00:00Z');
  const expiresAt = new Date('2026-12-06T12:00:00Z');

  beforeEach(() => jest.clearAllMocks());

  it('claims a bank-transfer order due within the reminder window, then writes one mail to the outbox', async () => {
    claimPaymentReminder.mockResolvedValueOnce(true);
    findById.mockResolvedValueOnce({
      id: 'o1',
      number: 'SK-10042',
      email: 'ada@example.test',
      total: 2490,
      currency: 'EUR',
      expiresAt,
      billingAddress: { firstName: 'Ada' },
    } as Order);
    await expect(reminders().remind('o1', now)).resolves.toBe(true);
    expect(claimPaymentReminder).toHaveBeenCalledWith(
      manager,
      'o1',
      'bank_transfer',
      now,
      new Date('2026-12-07T12:00:00Z'),
    );
    expect(enqueue).toHaveBeenCalledTimes(1);
    expect(enqueue.mock.calls[0][1]).toEqual({
      jobName: 'mail.send',
      payload: {
        template: 'payment-reminder',
        to: 'ada@example.test',
        data: {
          name: 'Ada',
          number: 'SK-10042',
          amount: 2490,
          currency: 'EUR',
          payBy: expiresAt.toISOString(),
          instructions: 'IBAN DE89',
        },
        sealedSecrets: {},
      },
    });
  });

  it('writes nothing when another run claimed it first (or it is paid, gone or not due)', async () => {
    claimPaymentReminder.mockResolvedValueOnce(false);
    await expect(reminders().remind('o1', now)).resolves.toBe(false);
    expect(findById).not.toHaveBeenCalled();
    expect(enqueue).not.toHaveBeenCalled();
  });

  it('does nothing at all when reminders are off (0 hours)', async () => {
    await expect(reminders(0).remind('o1', now)).resolves.toBe(false);
    await expect(reminders(0).remindDue(now)).resolves.toBe(0);
    expect(claimPaymentReminder).not.toHaveBeenCalled();
    expect(paymentRemindersDue).not.toHaveBeenCalled();
  });

  it('the sweep pages on from the last order of a full batch and counts only what it sent', async () => {
    const at = (id: string) => ({ id, expiresAt });
    paymentRemindersDue.mockResolvedValueOnce([at('a'), at('b')]).mockResolvedValueOnce([at('c')]);
    const service = reminders();
    const remind = jest.spyOn(service, 'remind').mockResolvedValueOnce(true).mockResolvedValue(false);
    await expect(service.remindDue(now, 2)).resolves.toBe(1);
    expect(remind.mock.calls.map(([id]) => id)).toEqual(['a', 'b', 'c']);
    expect(paymentRemindersDue.mock.calls[1][5]).toEqual(at('b'));
  });
});
