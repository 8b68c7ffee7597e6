import type Redis from 'ioredis';
import { OUTBOX_EPOCH_KEY, OutboxRedriveService, REDRIVE_WINDOW_MS } from './outbox-redrive.service';
import { OutboxRepository } from './outbox.repository';

function serviceWith(markerPresent: boolean[]) {
  const answers = [...markerPresent];
  const redis = { set: jest.fn(() => Promise.resolve(answers.shift() ? null : 'OK')) };
  const outbox = { markUnpublishedSince: jest.fn().mockResolvedValue(7) };
  const service = new OutboxRedriveService(redis as unknown as Redis, outbox as unknown as OutboxRepository);
  return { service, redis, outbox };
}

describe('OutboxRedriveService.guard', () => {
  it('re-drives nothing while the marker stays in Redis', async () => {
    const { service, redis, outbox } = serviceWith([true, true]);
    expect(await service.guard(1_000_000)).toBe(0);
    expect(await service.guard(1_000_250)).toBe(0);
    expect(redis.set).toHaveBeenCalledWith(OUTBOX_EPOCH_KEY, expect.any(String), 'NX');
    expect(outbox.markUnpublishedSince).not.toHaveBeenCalled();
  });

  it('re-drives from a window before the last time it saw the marker, once it is gone', async () => {
    const { service, outbox } = serviceWith([true, false, true]);
    await service.guard(1_000_000);
    expect(await service.guard(1_009_000)).toBe(7);
    expect(outbox.markUnpublishedSince).toHaveBeenCalledWith(new Date(1_000_000 - REDRIVE_WINDOW_MS));
    expect(await service.guard(1_009_250)).toBe(0);
    expect(outbox.markUnpublishedSince).toHaveBeenCalledTimes(1);
  });

  it('on a first start that finds no marker, re-drives the last window', async () => {
    const { service, outbox } = serviceWith([false]);
    await service.guard(2_000_000);
    expect(outbox.markUnpublishedSince).toHaveBeenCalledWith(new Date(2_000_000 - REDRIVE_WINDOW_MS));
  });
});
