import { retryDelayMs } from './webhook-delivery.service';

describe('retryDelayMs', () => {
  const schedule = [5_000, 300_000];

  it('waits the scheduled delay after each attempt, within ±10 % jitter', () => {
    expect(retryDelayMs(schedule, 1, () => 0)).toBe(4_500);
    expect(retryDelayMs(schedule, 1, () => 0.5)).toBe(5_000);
    expect(retryDelayMs(schedule, 2, () => 0.999999)).toBe(330_000);
  });

  it('has no retry after the last scheduled one', () => {
    expect(retryDelayMs(schedule, 3)).toBeNull();
    expect(retryDelayMs([], 1)).toBeNull();
  });
});
