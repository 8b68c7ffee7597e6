import { hashingSlots } from './password-hasher.service';

describe("hashingSlots (the password hasher's limit on concurrent hashes)", () => {
  it('never runs more than its limit at once, and runs everything', async () => {
    const slots = hashingSlots(2);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        slots(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 2));
          running--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('frees its slot when a task fails', async () => {
    const slots = hashingSlots(1);
    await expect(slots(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(slots(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
