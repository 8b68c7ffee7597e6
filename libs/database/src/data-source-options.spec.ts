import { loadConfig } from '@app/config';
import { buildDataSourceOptions } from './data-source-options';

describe('buildDataSourceOptions', () => {
  it('uses one pool on DB_HOST and no replication without DB_REPLICA_HOSTS', () => {
    const options = buildDataSourceOptions(loadConfig({ DB_HOST: 'db', DB_PORT: '3307' }).database);
    expect(options).toEqual(expect.objectContaining({ host: 'db', port: 3307 }));
    expect(options.replication).toBeUndefined();
  });

  it('with replicas, keeps every read on the primary unless the code asks for a replica', () => {
    const { replication } = buildDataSourceOptions(
      loadConfig({
        DB_HOST: 'primary',
        DB_USER: 'shop',
        DB_PASSWORD: 'secret',
        DB_NAME: 'shop',
        DB_REPLICA_HOSTS: 'replica-1,replica-2:3310',
        DB_REPLICA_USER: 'reader',
      }).database,
    );
    expect(replication).toEqual(
      expect.objectContaining({
        // TypeORM's default ('slave') would send find() and query builder reads to a replica.
        defaultMode: 'master',
        // mysql2 would take the primary offline (by default, for good) after a few failed connects.
        removeNodeErrorCount: Number.MAX_SAFE_INTEGER,
        master: expect.objectContaining({ host: 'primary', port: 3306, username: 'shop', database: 'shop' }),
        slaves: [
          { host: 'replica-1', port: 3306, username: 'reader', password: 'secret', database: 'shop' },
          { host: 'replica-2', port: 3310, username: 'reader', password: 'secret', database: 'shop' },
        ],
      }),
    );
  });
});
