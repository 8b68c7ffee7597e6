import type { OutboxJob } from '../../outbox';
import type { DomainEventEnvelope, DomainEventHandler } from './domain-event-handler';
import { EventsProcessor } from './events.processor';
import type { DomainEvents } from '../jobs/events.jobs';

const paid: DomainEvents['order.paid'] = {
  orderId: 'o1',
  number: 'SK-1',
  customerId: 'c1',
  from: 'pending_payment',
  to: 'paid',
};
const job = {
  id: 'outbox-42',
  name: 'order.paid',
  timestamp: Date.UTC(2026, 11, 7),
  data: paid,
} as OutboxJob<'order.paid'>;

describe('EventsProcessor', () => {
  it('hands each event to every subscriber in order, with the outbox id as the event id', async () => {
    const seen: string[] = [];
    const recorder = (name: string): DomainEventHandler => ({
      handle: (event: DomainEventEnvelope) => {
        seen.push(`${name}:${event.id}:${event.type}:${event.timestamp}`);
        expect(event.payload).toEqual(paid);
        return Promise.resolve();
      },
    });
    await new EventsProcessor([recorder('webhooks'), recorder('stream')]).handle(job);
    expect(seen).toEqual([
      'webhooks:outbox-42:order.paid:2026-12-07T00:00:00.000Z',
      'stream:outbox-42:order.paid:2026-12-07T00:00:00.000Z',
    ]);
  });

  it('fails the job when a subscriber fails, so Bull retries the event (handlers dedupe on its id)', async () => {
    const failing: DomainEventHandler = { handle: () => Promise.reject(new Error('redis down')) };
    const after = { handle: jest.fn(() => Promise.resolve()) };
    await expect(new EventsProcessor([failing, after]).handle(job)).rejects.toThrow('redis down');
    expect(after.handle).not.toHaveBeenCalled();
  });
});
