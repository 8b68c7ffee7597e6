import {
  TRANSACTION_CONTEXT,
  TransactionRunner,
  type AfterCommitWork,
  type BeforeCommitWork,
  type TransactionContext,
} from '@app/database';
import type { Abstract, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { QueryRunner } from 'typeorm';

/**
 * Unit-test fixtures: typed automatic mocks of a service's collaborators and a fake TransactionRunner.
 * Imported by path (`@app/testing/unit-fixture`), not from the package index: the index brings the
 * e2e environment (Nest app, database, SMTP receiver) that a unit test must not load.
 *
 * A published library does the mock part (`@golevelup/ts-jest`'s `createMock`, or
 * `jest-mock-extended`'s `mock<T>()`); neither is installed, and this is the forty lines we need.
 */

/** Keys a mock must not answer with a function: awaiting it, matching it or printing it would misread one. */
const NOT_MOCKED = new Set<PropertyKey>([
  'then',
  'asymmetricMatch',
  'toJSON',
  'nodeType',
  '$$typeof',
  'constructor',
]);

/**
 * A `jest.Mocked<T>` whose every method is a `jest.fn()` made on first use (answering `undefined`
 * until told otherwise). `members` gives fixed values; functions among them become `jest.fn(impl)`.
 */
export function mockOf<T extends object>(members: Partial<T> = {}): jest.Mocked<T> {
  const values = new Map<PropertyKey, unknown>(
    Object.entries(members).map(([key, value]): [PropertyKey, unknown] => [
      key,
      typeof value === 'function' && !jest.isMockFunction(value)
        ? jest.fn(value as (...args: unknown[]) => unknown)
        : value,
    ]),
  );
  const valueOf = (key: PropertyKey): unknown => {
    if (!values.has(key) && typeof key === 'string' && !NOT_MOCKED.has(key)) values.set(key, jest.fn());
    return values.get(key);
  };
  return new Proxy({} as jest.Mocked<T>, {
    get: (_target, key) => valueOf(key),
    set: (_target, key, value) => values.set(key, value) !== undefined,
    has: (_target, key) => values.has(key),
    ownKeys: () => [...values.keys()].filter((key) => typeof key === 'string'),
    getOwnPropertyDescriptor: (_target, key) =>
      values.has(key)
        ? { configurable: true, enumerable: true, writable: true, value: values.get(key) }
        : undefined,
  });
}

/** What one `run` registered with `afterCommit`, and how it ended. */
export interface FakeTransaction {
  /** In the order the real runner runs it: unkeyed work first, then keyed work (latest per key). */
  afterCommit: Array<{ work: AfterCommitWork; key?: string }>;
  /** Run at the end of the work, before it counts as committed (latest per key). */
  beforeCommit: Array<{ work: BeforeCommitWork; key?: string }>;
  outcome: 'open' | 'committed' | 'rolled back';
}

/**
 * A TransactionRunner without a database: `run(work)` hands `work` the one fake context `tx` (so a
 * spec can expect collaborators to be called with it), records what `tx.afterCommit` registered,
 * and — as the real runner — runs that work only once `work` resolved, never when it threw. A
 * failing after-commit work is swallowed (the real runner logs it), and kept in `afterCommitErrors`.
 */
export class FakeTransactions {
  readonly transactions: FakeTransaction[] = [];
  readonly afterCommitErrors: unknown[] = [];
  private readonly open: FakeTransaction[] = [];

  readonly tx: jest.Mocked<TransactionContext> = mockOf<TransactionContext>({
    // Code that insists on running inside a transaction (savepoints) checks this.
    queryRunner: mockOf<QueryRunner>({ isTransactionActive: true }),
    afterCommit: (work: AfterCommitWork, key?: string) => {
      const current = this.open.at(-1);
      if (!current) throw new Error('afterCommit called outside TransactionRunner.run');
      const unkeyed = current.afterCommit.filter((entry) => entry.key === undefined);
      const keyed = current.afterCommit.filter((entry) => entry.key !== undefined && entry.key !== key);
      current.afterCommit =
        key === undefined ? [...unkeyed, { work }, ...keyed] : [...unkeyed, ...keyed, { work, key }];
    },
    beforeCommit: (work: BeforeCommitWork, key?: string) => {
      const current = this.open.at(-1);
      if (!current) throw new Error('beforeCommit called outside TransactionRunner.run');
      current.beforeCommit = [
        ...current.beforeCommit.filter((entry) => key === undefined || entry.key !== key),
        { work, key },
      ];
    },
  });

  constructor() {
    // Recognised as a real transaction's context (isTransactionContext): the outbox defers to beforeCommit.
    Object.assign(this.tx, { [TRANSACTION_CONTEXT]: true });
  }

  readonly runner: jest.Mocked<TransactionRunner> = mockOf<TransactionRunner>({
    run: <R>(work: (tx: TransactionContext) => Promise<R>) => this.run(work),
  });

  /** The last transaction run (throws when none was). */
  get last(): FakeTransaction {
    const last = this.transactions.at(-1);
    if (!last) throw new Error('no transaction was run');
    return last;
  }

  private async run<R>(work: (tx: TransactionContext) => Promise<R>): Promise<R> {
    const transaction: FakeTransaction = { afterCommit: [], beforeCommit: [], outcome: 'open' };
    this.transactions.push(transaction);
    this.open.push(transaction);
    let result: R;
    try {
      result = await work(this.tx);
      for (let due = transaction.beforeCommit; due.length > 0; due = transaction.beforeCommit) {
        transaction.beforeCommit = [];
        for (const { work: finish } of due) await finish();
      }
    } catch (error) {
      transaction.outcome = 'rolled back';
      throw error;
    } finally {
      this.open.pop();
    }
    transaction.outcome = 'committed';
    for (const { work: afterCommit } of transaction.afterCommit) {
      try {
        await afterCommit();
      } catch (error) {
        this.afterCommitErrors.push(error);
      }
    }
    return result;
  }
}

export type Token<T> = Type<T> | Abstract<T> | string | symbol;

export interface UnitFixture<S> {
  subject: S;
  /** The mock Nest made for a collaborator; throws for a token the subject does not inject. */
  mock<T>(token: Type<T> | Abstract<T>): jest.Mocked<T>;
  transactions: FakeTransactions;
}

/**
 * Builds `subject` through Nest's injector, as the app does: TransactionRunner is a FakeTransactions
 * runner, `provide` gives fixed values (a symbol token, an array of hooks, a real class), and every
 * other collaborator is a `mockOf` made by `useMocker`.
 */
export async function buildWithMocks<S>(
  subject: Type<S>,
  options: { provide?: ReadonlyArray<readonly [Token<unknown>, unknown]> } = {},
): Promise<UnitFixture<S>> {
  const transactions = new FakeTransactions();
  const made = new Map<Token<unknown>, unknown>();
  const testing = await Test.createTestingModule({
    providers: [subject, ...(options.provide ?? []).map(([provide, useValue]) => ({ provide, useValue }))],
  })
    .useMocker((token) => {
      if (token === undefined) throw new Error(`${subject.name} injects a token Nest cannot see`);
      const value = token === TransactionRunner ? transactions.runner : mockOf<object>();
      made.set(token, value);
      return value;
    })
    .compile();
  return {
    subject: testing.get(subject),
    mock<T>(token: Type<T> | Abstract<T>): jest.Mocked<T> {
      if (!made.has(token)) throw new Error(`${subject.name} has no mocked collaborator ${String(token)}`);
      return made.get(token) as jest.Mocked<T>;
    },
    transactions,
  };
}

/**
 * Awaits a promise that must reject with an instance of `type` and answers that error, typed — for
 * specs that look at what the error carries (`error.extensions`), not only at its class.
 */
export async function rejectionOf<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const outcome = await promise.then(
    (value: unknown) => ({ rejected: false as const, value }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  if (!outcome.rejected) throw new Error(`expected a ${type.name}, but it resolved`);
  expect(outcome.error).toBeInstanceOf(type);
  return outcome.error as E;
}
