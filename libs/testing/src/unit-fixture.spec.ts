import { TransactionRunner, type TransactionContext } from '@app/database';
import { Injectable } from '@nestjs/common';
import { buildWithMocks, FakeTransactions, mockOf } from './unit-fixture';

class Greeter {
  greet(name: string): string {
    return `hello ${name}`;
  }
}

@Injectable()
class Subject {
  constructor(
    readonly transactions: TransactionRunner,
    readonly greeter: Greeter,
  ) {}
}

describe('mockOf', () => {
  it('answers every method with a jest.fn made once, and keeps given members', () => {
    const greeter = mockOf<Greeter>();
    greeter.greet.mockReturnValue('hi');
    expect(greeter.greet('a')).toBe('hi');
    expect(greeter.greet).toBe(greeter.greet);
    const fixed = mockOf<Greeter>({ greet: (name) => `yo ${name}` });
    expect(fixed.greet('b')).toBe('yo b');
    expect(fixed.greet).toHaveBeenCalledWith('b');
  });

  it('is not a thenable, so an async function may return it', async () => {
    const greeter = mockOf<Greeter>();
    await expect(Promise.resolve(greeter)).resolves.toBe(greeter);
  });
});

describe('FakeTransactions', () => {
  it('runs after-commit work once the work resolved, keyed work once in its latest form', async () => {
    const fake = new FakeTransactions();
    const order: string[] = [];
    await fake.runner.run((tx: TransactionContext) => {
      tx.afterCommit(() => order.push('keyed-1'), 'k');
      tx.afterCommit(() => order.push('plain'));
      tx.afterCommit(() => order.push('keyed-2'), 'k');
      order.push('work');
      return Promise.resolve();
    });
    expect(order).toEqual(['work', 'plain', 'keyed-2']);
    expect(fake.last.outcome).toBe('committed');
  });

  it('never runs after-commit work of a transaction that threw', async () => {
    const fake = new FakeTransactions();
    const work = jest.fn();
    await expect(
      fake.runner.run((tx) => {
        tx.afterCommit(work);
        return Promise.reject(new Error('boom'));
      }),
    ).rejects.toThrow('boom');
    expect(fake.last).toEqual({ afterCommit: [{ work }], beforeCommit: [], outcome: 'rolled back' });
    expect(work).not.toHaveBeenCalled();
  });
});

describe('buildWithMocks', () => {
  it('injects the fake runner and a mock per collaborator', async () => {
    const { subject, mock, transactions } = await buildWithMocks(Subject);
    expect(subject.transactions).toBe(transactions.runner);
    expect(subject.greeter).toBe(mock(Greeter));
    expect(() => mock(Subject)).toThrow('no mocked collaborator');
  });
});
