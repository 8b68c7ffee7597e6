import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { isRetryableTransactionError, isTransactionContext, TransactionRunner } from './transaction-runner';

const dbError = (errno: number) =>
  new QueryFailedError('UPDATE x', [], Object.assign(new Error(`errno ${errno}`), { errno }));

function runnerWith(transaction: jest.Mock): TransactionRunner {
  const dataSource = { transaction } as unknown as DataSource;
  return new TransactionRunner(dataSource);
}

describe('TransactionRunner', () => {
  it.each([1213, 1205, 1020])('treats errno %i as retryable', (errno) => {
    expect(isRetryableTransactionError(dbError(errno))).toBe(true);
  });

  it.each([1062, 1452, 1064])('does not retry errno %i', (errno) => {
    expect(isRetryableTransactionError(dbError(errno))).toBe(false);
    expect(isRetryableTransactionError(new Error('plain'))).toBe(false);
  });

  it('retries a deadlock and returns the result of the attempt that committed', async () => {
    const transaction = jest
      .fn()
      .mockRejectedValueOnce(dbError(1213))
      .mockRejectedValueOnce(dbError(1205))
      .mockImplementation((work: (m: EntityManager) => Promise<string>) => work({} as EntityManager));
    await expect(runnerWith(transaction).run(() => Promise.resolve('committed'))).resolves.toBe('committed');
    expect(transaction).toHaveBeenCalledTimes(3);
  });

  it('stops after maxAttempts and rethrows the last error', async () => {
    const transaction = jest.fn().mockRejectedValue(dbError(1213));
    await expect(
      runnerWith(transaction).run(() => Promise.resolve('never'), { maxAttempts: 3 }),
    ).rejects.toBeInstanceOf(QueryFailedError);
    expect(transaction).toHaveBeenCalledTimes(3);
  });

  it('passes the isolation level through', async () => {
    const transaction = jest.fn().mockResolvedValue('ok');
    await runnerWith(transaction).run(() => Promise.resolve('ok'), { isolation: 'SERIALIZABLE' });
    expect(transaction).toHaveBeenCalledWith('SERIALIZABLE', expect.any(Function));
  });

  it('runs after-commit work of the committed attempt only, once, after the transaction resolved', async () => {
    const ran: string[] = [];
    let attempt = 0;
    const transaction = jest.fn(async (work: (m: EntityManager) => Promise<unknown>) => {
      const result = await work({} as EntityManager);
      if (ran.length > 0) throw new Error('after-commit work ran inside the transaction');
      if (++attempt === 1) throw dbError(1213); // the first attempt registered work, then deadlocked
      return result;
    });
    await runnerWith(transaction).run(async (tx) => {
      const tag = `attempt ${attempt + 1}`;
      tx.afterCommit(() => ran.push(tag));
      return Promise.resolve();
    });
    expect(ran).toEqual(['attempt 2']);
  });

  it('logs a failing after-commit step and still returns the result and runs the others', async () => {
    const ran: string[] = [];
    const transaction = jest.fn((work: (m: EntityManager) => Promise<unknown>) => work({} as EntityManager));
    const result = await runnerWith(transaction).run((tx) => {
      tx.afterCommit(() => Promise.reject(new Error('redis down')));
      tx.afterCommit(() => ran.push('second'));
      return Promise.resolve('committed');
    });
    expect(result).toBe('committed');
    expect(ran).toEqual(['second']);
  });

  it('runs before-commit work inside the transaction, after the use case, once per key in its latest form', async () => {
    const ran: string[] = [];
    let inside = false;
    const transaction = jest.fn(async (work: (m: EntityManager) => Promise<unknown>) => {
      inside = true;
      const result = await work({} as EntityManager);
      inside = false;
      return result;
    });
    const result = await runnerWith(transaction).run((tx) => {
      expect(isTransactionContext(tx)).toBe(true);
      tx.beforeCommit(() => Promise.resolve(ran.push(`first ${inside}`)), 'flush');
      tx.beforeCommit(() => Promise.resolve(ran.push(`latest ${inside}`)), 'flush');
      tx.beforeCommit(() => {
        // Work may register more before-commit work; it runs too, still inside.
        tx.beforeCommit(() => Promise.resolve(ran.push(`late ${inside}`)));
        return Promise.resolve(ran.push(`unkeyed ${inside}`));
      });
      ran.push('use case');
      return Promise.resolve('committed');
    });
    expect(result).toBe('committed');
    expect(ran).toEqual(['use case', 'unkeyed true', 'latest true', 'late true']);
  });
});
