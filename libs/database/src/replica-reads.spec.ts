import type { AppConfig } from '@app/config';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { ReplicaReads } from './replica-reads';

const primaryManager = { server: 'primary' } as unknown as EntityManager;
const replicaManager = { server: 'replica' } as unknown as EntityManager;

function build(options: { replica?: boolean; connect?: () => Promise<void>; reached?: number } = {}) {
  const runner = {
    manager: replicaManager,
    isReleased: false,
    connect: jest.fn(options.connect ?? (() => Promise.resolve())),
    query: jest.fn(() => Promise.resolve([{ reached: options.reached ?? 1 }])),
    release: jest.fn(function (this: { isReleased: boolean }) {
      this.isReleased = true;
      return Promise.resolve();
    }),
  };
  const dataSource = {
    manager: primaryManager,
    query: jest.fn(() => Promise.resolve([{ position: '0-1-42' }])),
    createQueryRunner: jest.fn(() => {
      runner.isReleased = false;
      return runner as unknown as QueryRunner;
    }),
  };
  const config = {
    database: {
      type: 'mariadb',
      replica:
        options.replica === false ? undefined : { hosts: [], user: 'r', password: '', catchUpWaitMs: 200 },
    },
  } as unknown as AppConfig;
  const reads = new ReplicaReads(dataSource as unknown as DataSource, config);
  const server = (manager: EntityManager) =>
    Promise.resolve((manager as unknown as { server: string }).server);
  return { reads, dataSource, runner, server };
}

describe('ReplicaReads', () => {
  it('reads the primary, asking nothing more, when no replica is configured', async () => {
    const { reads, dataSource, server } = build({ replica: false });
    expect(await reads.current(server)).toBe('primary');
    expect(await reads.lagging(server)).toBe('primary');
    expect(dataSource.createQueryRunner).not.toHaveBeenCalled();
    expect(dataSource.query).not.toHaveBeenCalled();
  });

  it('waits for the primary’s position on the replica, then reads it there', async () => {
    const { reads, dataSource, runner, server } = build();
    expect(await reads.current(server)).toBe('replica');
    expect(dataSource.createQueryRunner).toHaveBeenCalledWith('slave');
    expect(runner.query).toHaveBeenCalledWith(expect.stringContaining('MASTER_GTID_WAIT'), ['0-1-42', 0.2]);
    expect(runner.release).toHaveBeenCalledTimes(1);
  });

  it('reads the primary when the replica is behind, and skips the replica for a while after', async () => {
    const { reads, dataSource, runner, server } = build({ reached: 0 });
    expect(await reads.current(server)).toBe('primary');
    expect(runner.release).toHaveBeenCalledTimes(1);
    expect(await reads.current(server)).toBe('primary');
    expect(dataSource.createQueryRunner).toHaveBeenCalledTimes(1);
    // Reports still read the lagging replica.
    expect(await reads.lagging(server)).toBe('replica');
  });

  it('reads the primary when no replica answers', async () => {
    const { reads, runner, server } = build({ connect: () => Promise.reject(new Error('ECONNREFUSED')) });
    expect(await reads.lagging(server)).toBe('primary');
    expect(await reads.current(server)).toBe('primary');
    expect(runner.connect).toHaveBeenCalledTimes(1);
    expect(runner.release).toHaveBeenCalledTimes(1);
  });
});
