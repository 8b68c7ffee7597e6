import { exceptionToProblem } from '@app/common';
import { buildDataSourceOptions } from '@app/database';
import { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { PoolConnection } from 'mysql2';
import { DataSource, QueryFailedError, QueryRunner } from 'typeorm';
import { TestEnvironment } from '../support/test-environment';

/** The driver connection a query runner holds (TypeORM keeps it in a public field, untyped). */
const driverConnection = (runner: QueryRunner): PoolConnection =>
  (runner as unknown as { databaseConnection: PoolConnection }).databaseConnection;

/**
 * The per-statement costs removed from mysql2 under TypeORM (libs/database/src/mysql2-driver.ts and
 * `trace: false`) stay removed: a mysql2 or TypeORM upgrade that brings them back fails here.
 */
describe('mysql2 under TypeORM: no per-statement wrapper or stack capture', () => {
  let env: TestEnvironment;
  let worker: INestApplicationContext;
  let dataSource: DataSource;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    worker = await env.startWorker();
    dataSource = worker.get<DataSource>(getDataSourceToken());
    await dataSource.query('CREATE TABLE driver_probe (id INT PRIMARY KEY) ENGINE=InnoDB');
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => env.cleanup());

  /** Runs two statements on one pooled connection and checks how the second one went through mysql2. */
  async function expectOneWrapperAndNoCapture(runner: QueryRunner): Promise<void> {
    await runner.query('SELECT 1');
    const connection = driverConnection(runner);
    expect(connection.config.trace).toBe(false);
    const wrapper = connection.promise();
    expect(connection.promise()).toBe(wrapper);
    const query = jest.spyOn(wrapper, 'query');
    const capture = jest.spyOn(Error, 'captureStackTrace');
    await runner.query('SELECT 2');
    // TypeORM still queries through `promise()`, and got the connection's one wrapper.
    expect(query).toHaveBeenCalledTimes(1);
    expect(capture).not.toHaveBeenCalled();
  }

  it('reuses one promise wrapper per pool connection and captures no stack trace per statement', async () => {
    const runner = dataSource.createQueryRunner();
    try {
      await expectOneWrapperAndNoCapture(runner);
    } finally {
      await runner.release();
    }
  });

  it('does the same on the connections of a replica cluster (DB_REPLICA_HOSTS)', async () => {
    // The shared server plays primary and replica: only how mysql2's PoolCluster connects matters here.
    const { host, port, user, password } = env.config.database;
    const clustered = await new DataSource(
      buildDataSourceOptions({
        ...env.config.database,
        poolSize: 2,
        replica: { hosts: [{ host, port }], user, password, catchUpWaitMs: 100 },
      }),
    ).initialize();
    try {
      for (const mode of ['master', 'slave'] as const) {
        const runner = clustered.createQueryRunner(mode);
        try {
          await expectOneWrapperAndNoCapture(runner);
        } finally {
          await runner.release();
        }
      }
    } finally {
      await clustered.destroy();
    }
  });

  it('still reports a failed statement usefully: driver errno for the problem mapping, the caller in the stack', async () => {
    await dataSource.query('INSERT INTO driver_probe VALUES (1)');
    const failure = await insertTheSameRowAgain().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    const error = failure as QueryFailedError & { driverError: { errno: number; code: string } };
    expect(error.driverError).toEqual(expect.objectContaining({ errno: 1062, code: 'ER_DUP_ENTRY' }));
    expect(error.message).toMatch(/Duplicate entry '1'/);
    // Without mysql2's captured trace, the async frames still lead from TypeORM back to its caller.
    expect(error.stack).toContain('insertTheSameRowAgain');
    expect(exceptionToProblem(error)).toEqual(expect.objectContaining({ status: 409 }));
  });

  async function insertTheSameRowAgain(): Promise<void> {
    await dataSource.query('INSERT INTO driver_probe VALUES (1)');
  }
});
