import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { isRetryableTransactionError, TransactionRunner } from './transaction-runner';

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
});
