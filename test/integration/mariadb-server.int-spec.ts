import { MariaDbServer } from '../support/mariadb-server';
import { waitFor } from '../support/wait-for';

// The private-server helper other tests stand on (replica routing, restarts under load): a primary
// with a binary log, a replica of it, replication stopped and resumed, and a primary killed with
// SIGKILL and started again on the same data folder and port.
describe('MariaDbServer (private mariadbd instances)', () => {
  let primary: MariaDbServer;
  let replica: MariaDbServer;

  beforeAll(async () => {
    [primary, replica] = await Promise.all([
      MariaDbServer.start({ name: 'primary', binaryLog: true }),
      MariaDbServer.start({ name: 'replica', readOnly: true }),
    ]);
    await replica.replicaOf(primary);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([primary?.remove(), replica?.remove()]);
  });

  const count = async (server: MariaDbServer) => {
    const [{ n }] = await server.query('SELECT COUNT(*) AS n FROM helper_check.t');
    return Number(n);
  };

  it('runs a primary with a binary log and a replica that follows it', async () => {
    const [primaryVariables] = await primary.query('SELECT @@log_bin AS logBin, @@server_id AS id');
    const [replicaVariables] = await replica.query('SELECT @@read_only AS readOnly, @@server_id AS id');
    expect(Number(primaryVariables.logBin)).toBe(1);
    expect(Number(replicaVariables.readOnly)).toBe(1);
    expect(primaryVariables.id).not.toBe(replicaVariables.id);

    await primary.query('CREATE DATABASE helper_check');
    await primary.query('CREATE TABLE helper_check.t (id INT PRIMARY KEY) ENGINE=InnoDB');
    await primary.query('INSERT INTO helper_check.t VALUES (1), (2)');
    await replica.waitForReplicaToCatchUp(primary);
    expect(await count(replica)).toBe(2);
  });

  it('leaves a stopped replica answering with old data until replication starts again', async () => {
    await replica.stopReplication();
    expect((await replica.replicationStatus())?.sqlRunning).toBe('No');
    await primary.query('INSERT INTO helper_check.t VALUES (3)');
    expect(await count(primary)).toBe(3);
    expect(await count(replica)).toBe(2);

    await replica.startReplication();
    await replica.waitForReplicaToCatchUp(primary);
    expect(await count(replica)).toBe(3);
  });

  it('restarts a primary killed with SIGKILL on its data and port; the replica reconnects', async () => {
    const port = primary.port;
    await primary.query('INSERT INTO helper_check.t VALUES (4)');
    await primary.restart({ crash: true });
    expect(primary.port).toBe(port);
    expect(await count(primary)).toBe(4); // committed before the kill: crash recovery kept it

    await primary.query('INSERT INTO helper_check.t VALUES (5)');
    await waitFor(async () => (await count(replica)) === 5, 20_000, 'the replica to reconnect and catch up');
  }, 60_000);

  it('stops cleanly and starts again', async () => {
    await replica.stop();
    expect(replica.running).toBe(false);
    await expect(replica.query('SELECT 1')).rejects.toThrow();
    await replica.start();
    expect(await count(replica)).toBe(5);
  }, 60_000);
});
