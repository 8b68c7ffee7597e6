import { PassThrough } from 'node:stream';
import { LiveStream } from './live-stream';
import { mayReceive, type RealtimeEntry, type RealtimeEvent, type StreamAudience } from './realtime-events';

const event = (n: number, customerId: string | null = 'cust-a', type = 'order.placed'): RealtimeEvent => ({
  id: `evt-${n}`,
  type,
  timestamp: '2026-12-07T00:00:00.000Z',
  customerId,
  orderId: `order-${customerId}`,
  data: { n },
});
const entry = (n: number, customerId?: string | null, type?: string): RealtimeEntry => ({
  streamId: `1000-${n}`,
  event: event(n, customerId, type),
});

const customerA: StreamAudience = {
  kind: 'user',
  userId: 'cust-a',
  sessionId: 's',
  tokenEpoch: 0,
  permissions: new Set(),
};

function streamOf(audience: StreamAudience, cursor: string) {
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const stream = new LiveStream('id', 'slot', audience, output, cursor);
  const ids = () => [...text.matchAll(/^id: (\S+)\nevent: (?!ready)/gm)].map((match) => match[1]);
  const readyId = () => /id: (\S+)\nevent: ready/.exec(text)?.[1];
  return { stream, ids, readyId };
}

describe('LiveStream (Last-Event-ID replay hand-off)', () => {
  it('sends the replay, then the live entries that arrived during it, each exactly once and in order', () => {
    const { stream, ids, readyId } = streamOf(customerA, '1000-1');
    // The hub delivers 3..6 while the replay (which will also read 2..4) is still running.
    for (const n of [3, 4, 5, 6]) stream.offer(entry(n));
    for (const n of [2, 3, 4]) stream.handle(entry(n));
    expect(ids()).toEqual(['1000-2', '1000-3', '1000-4']);
    stream.goLive();
    stream.offer(entry(6)); // a late duplicate from the hub changes nothing
    stream.offer(entry(7));
    expect(ids()).toEqual(['1000-2', '1000-3', '1000-4', '1000-5', '1000-6', '1000-7']);
    expect(readyId()).toBe('1000-6');
  });

  it('drops entries at or before Last-Event-ID', () => {
    const { stream, ids } = streamOf(customerA, '1000-5');
    stream.goLive();
    for (const n of [4, 5, 6]) stream.offer(entry(n));
    expect(ids()).toEqual(['1000-6']);
  });

  it("never writes another customer's event, but moves its position past it", () => {
    const { stream, ids, readyId } = streamOf(customerA, '1000-0');
    stream.handle(entry(1, 'cust-b'));
    stream.handle(entry(2, null));
    stream.goLive();
    expect(ids()).toEqual([]);
    expect(readyId()).toBe('1000-2');
  });

  it('cuts a client that stopped reading instead of buffering its events without end', () => {
    // Nobody reads this output: what is written waits in memory, as for a client whose TCP window is full.
    const output = new PassThrough();
    const stream = new LiveStream('id', 'slot', customerA, output, '1000-0');
    stream.goLive();
    const big = (n: number): RealtimeEntry => ({
      streamId: `1000-${n}`,
      event: { ...event(n), data: { note: 'x'.repeat(4096) } },
    });
    for (let n = 1; n <= 2_000; n += 1) stream.offer(big(n)); // about 8 MB of events
    expect(output.writableLength).toBeLessThan(2 * 1024 * 1024);
    expect(output.destroyed).toBe(true);
    expect(stream.isClosed).toBe(true);
  });

  it('during a long replay waits for a slow client that reads, and cuts one that does not', async () => {
    const big = (n: number): RealtimeEntry => ({
      streamId: `1000-${n}`,
      event: { ...event(n), data: { note: 'x'.repeat(4096) } },
    });
    // A client that reads, but only after 2 MB of replay is already written.
    const slow = new PassThrough();
    const replaying = new LiveStream('id', 'slot', customerA, slow, '1000-0');
    for (let n = 1; n <= 500; n += 1) replaying.handle(big(n));
    expect(replaying.isClosed).toBe(false);
    setImmediate(() => slow.resume());
    await expect(replaying.drain(5_000)).resolves.toBe(true);
    expect(replaying.isClosed).toBe(false);

    const stalled = new PassThrough();
    const stuck = new LiveStream('id', 'slot', customerA, stalled, '1000-0');
    for (let n = 1; n <= 500; n += 1) stuck.handle(big(n));
    await expect(stuck.drain(50)).resolves.toBe(false);
    expect(stalled.destroyed).toBe(true);
  });

  it('writes nothing once closed', () => {
    const { stream, ids } = streamOf(customerA, '1000-0');
    stream.goLive();
    stream.close();
    stream.offer(entry(1));
    expect(ids()).toEqual([]);
  });
});

describe('mayReceive (who gets which event)', () => {
  const staff = (permissions: string[]): StreamAudience =>
    ({
      kind: 'user',
      userId: 'staff',
      sessionId: 's',
      tokenEpoch: 0,
      permissions: new Set(permissions),
    }) as StreamAudience;

  it('customers get their own order and payment events only', () => {
    expect(mayReceive(customerA, event(1, 'cust-a'))).toBe(true);
    expect(mayReceive(customerA, event(1, 'cust-a', 'payment.succeeded'))).toBe(true);
    expect(mayReceive(customerA, event(1, 'cust-b'))).toBe(false);
    expect(mayReceive(customerA, event(1, null))).toBe(false);
    expect(mayReceive(customerA, event(1, 'cust-a', 'inventory.low-stock'))).toBe(false);
  });

  it('staff get each type by its permission; an unknown type reaches nobody', () => {
    expect(mayReceive(staff(['orders:manage']), event(1, 'x', 'order.shipped'))).toBe(true);
    expect(mayReceive(staff(['orders:manage']), event(1, 'x', 'payment.failed'))).toBe(false);
    expect(mayReceive(staff(['payments:manage']), event(1, 'x', 'payment.failed'))).toBe(true);
    expect(mayReceive(staff(['inventory:write']), event(1, null, 'inventory.low-stock'))).toBe(true);
    expect(mayReceive(staff(['queues:manage']), event(1, null, 'job.failed'))).toBe(true);
    expect(mayReceive(staff(['orders:manage']), event(1, null, 'something.new'))).toBe(false);
  });

  it("a guest gets only their order's order and payment events", () => {
    const guest: StreamAudience = { kind: 'guest', orderId: 'order-g' };
    expect(mayReceive(guest, { ...event(1, null), orderId: 'order-g' })).toBe(true);
    expect(mayReceive(guest, { ...event(1, null, 'payment.failed'), orderId: 'order-g' })).toBe(true);
    expect(mayReceive(guest, { ...event(1, null), orderId: 'order-h' })).toBe(false);
    expect(mayReceive(guest, { ...event(1, null, 'inventory.low-stock'), orderId: 'order-g' })).toBe(false);
  });
});
