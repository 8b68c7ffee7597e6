import { TransactionContext, TransactionRunner } from '@app/database';
import { TestEnvironment } from '../support/test-environment';
import { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';

/** Resolves once `parties` callers have arrived. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return () => {
    arrived++;
    if (arrived === parties) release();
    return all;
  };
}

describe('TransactionRunner on real MySQL', () => {
  let env: TestEnvironment;
  let worker: INestApplicationContext;
  let transactions: TransactionRunner;
  let dataSource: DataSource;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    worker = await env.startWorker();
    transactions = worker.get(TransactionRunner);
    dataSource = worker.get<DataSource>(getDataSourceToken());
    await dataSource.query('CREATE TABLE tx_probe (id INT PRIMARY KEY, counter INT NOT NULL) ENGINE=InnoDB');
  });
  beforeEach(async () => {
    await dataSource.query('DELETE FROM tx_probe');
    await dataSource.query('INSERT INTO tx_probe VALUES (1, 0), (2, 0)');
  });
  afterAll(() => env.cleanup());

  /** Two transactions that lock rows 1 and 2 in opposite orders: a guaranteed deadlock on the first try. */
  function crossedTransactions(maxAttempts: number) {
    const bothHoldFirstLock = barrier(2);
    const attempts = [0, 0];
    // What each side registered to run after commit, and what ran, tagged with the attempt.
    const registered: string[][] = [[], []];
    const ran: string[][] = [[], []];
    const work = (index: number, first: number, second: number) => async (manager: TransactionContext) => {
      attempts[index]++;
      const tag = `attempt ${attempts[index]}`;
      registered[index].push(tag);
      manager.afterCommit(() => ran[index].push(tag));
      await manager.query('SELECT counter FROM tx_probe WHERE id = ? FOR UPDATE', [first]);
      await bothHoldFirstLock();
      await manager.query('UPDATE tx_probe SET counter = counter + 1 WHERE id = ?', [second]);
      await manager.query('UPDATE tx_probe SET counter = counter + 1 WHERE id = ?', [first]);
    };
    return {
      attempts,
      registered,
      ran,
      results: Promise.allSettled([
        transactions.run(work(0, 1, 2), { maxAttempts }),
        transactions.run(work(1, 2, 1), { maxAttempts }),
      ]),
    };
  }

  it('retries the deadlock victim so both transactions take effect once', async () => {
    const { attempts, results } = crossedTransactions(5);
    const settled = await results;
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(attempts[0] + attempts[1]).toBeGreaterThanOrEqual(3); // the victim ran again
    const rows = await dataSource.query<Array<{ counter: number }>>(
      'SELECT id, counter FROM tx_probe ORDER BY id',
    );
    // Each transaction added 1 to each row exactly once: the rolled-back attempt left nothing behind.
    expect(rows.map((row) => Number(row.counter))).toEqual([2, 2]);
  });

  it('runs after-commit work once per transaction, of the attempt that committed, never of the rolled-back one', async () => {
    const { attempts, registered, ran, results } = crossedTransactions(5);
    await results;
    const victim = attempts[0] > 1 ? 0 : 1;
    expect(registered[victim].length).toBeGreaterThan(1); // the deadlock victim registered work twice or more
    expect(ran[victim]).toEqual([`attempt ${attempts[victim]}`]);
    expect(ran[1 - victim]).toEqual(['attempt 1']);
  });

  it('runs no after-commit work when the transaction rolls back, and stops the error there', async () => {
    const ran: string[] = [];
    await expect(
      transactions.run(async (manager) => {
        manager.afterCommit(() => ran.push('before the failure'));
        await manager.query('INSERT INTO tx_probe VALUES (1, 0)'); // duplicate key: rolled back
        manager.afterCommit(() => ran.push('never registered'));
      }),
    ).rejects.toBeInstanceOf(QueryFailedError);
    await expect(
      transactions.run(async (manager) => {
        await manager.query('UPDATE tx_probe SET counter = 5 WHERE id = 1');
        manager.afterCommit(() => ran.push('rolled back by a domain error'));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(ran).toEqual([]);
  });

  it('runs after-commit work once the data is committed and visible to others; a failing one is logged, not thrown', async () => {
    const seen: number[] = [];
    const result = await transactions.run(async (manager) => {
      await manager.query('UPDATE tx_probe SET counter = 7 WHERE id = 1');
      manager.afterCommit(() => {
        throw new Error('cache unreachable');
      });
      manager.afterCommit(async () => {
        // Another connection: sees the row only if the transaction has committed.
        const [row] = await dataSource.query<Array<{ counter: number }>>(
          'SELECT counter FROM tx_probe WHERE id = 1',
        );
        seen.push(Number(row.counter));
      });
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(seen).toEqual([7]);
  });

  it('runs work registered under one key once per transaction, in its latest form', async () => {
    const ran: string[] = [];
    await transactions.run(async (manager) => {
      for (const version of ['v1', 'v2', 'v3']) manager.afterCommit(() => ran.push(version), 'purge');
      manager.afterCommit(() => ran.push('unkeyed'));
      await manager.query('UPDATE tx_probe SET counter = 1 WHERE id = 2');
    });
    expect(ran.sort()).toEqual(['unkeyed', 'v3']);
  });

  it('gives up after the bounded number of attempts and surfaces the deadlock', async () => {
    const { results } = crossedTransactions(1);
    const settled = await results;
    const rejected = settled.filter(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    expect(rejected).toHaveLength(1);
    const error = rejected[0].reason as QueryFailedError;
    expect(error).toBeInstanceOf(QueryFailedError);
    expect((error.driverError as unknown as { errno: number }).errno).toBe(1213);
  });

  it('does not retry an error that is not transient', async () => {
    let attempts = 0;
    await expect(
      transactions.run(async (manager) => {
        attempts++;
        await manager.query('INSERT INTO tx_probe VALUES (1, 0)');
      }),
    ).rejects.toBeInstanceOf(QueryFailedError);
    expect(attempts).toBe(1);
  });
});
