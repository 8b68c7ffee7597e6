import type { DatabaseConfig } from '@app/config';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection, Connection, RowDataPacket } from 'mysql2/promise';
import { freePort, supervise } from './process-tree';
import { waitFor } from './wait-for';

const MARIADBD = process.env.MARIADBD_PATH ?? '/usr/sbin/mariadbd';
const INSTALL_DB = process.env.MARIADB_INSTALL_DB_PATH ?? 'mariadb-install-db';
const HOST = '127.0.0.1';
const USER = 'root';
const isRoot = process.getuid?.() === 0;

export interface MariaDbServerOptions {
  /** A label for error messages and the data folder's name. */
  name?: string;
  /** Write a binary log (a primary a replica can follow). The machine's shared server has none. */
  binaryLog?: boolean;
  /** Unique per server of one replication topology; default: a number from the port. */
  serverId?: number;
  /** `read_only=ON` (what a replica usually runs with; root, which the app uses here, bypasses it). */
  readOnly?: boolean;
  /** More mariadbd options, e.g. `--max-connections=20`. */
  extraArgs?: string[];
}

/** What `SHOW SLAVE STATUS` says about the replication threads. */
export interface ReplicationStatus {
  ioRunning: string;
  sqlRunning: string;
  lastError: string;
  secondsBehindMaster: number | null;
}

/**
 * A private MariaDB server for one test file: its own data folder (made by mariadb-install-db in a
 * temporary folder), its own port and socket, root without a password over TCP from 127.0.0.1.
 * Sized to start in about a second (16 MB buffer pool, 4 MB redo log, no performance schema, no
 * name resolution). It may keep a binary log and follow another one as a replica (`replicaOf`), and
 * it can be stopped, killed with SIGKILL and started again on the same data folder and port (crash
 * and restart tests). `remove()` in afterAll stops it and deletes its folder; should the test process
 * end without it (a crash, SIGKILL, a forgotten afterAll), a watchdog kills the server (its folder
 * then stays in the temporary directory).
 *
 * Needs the mariadb-server package (mariadbd and mariadb-install-db), which scripts/services.sh
 * installs on a machine without MariaDB.
 */
export class MariaDbServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly name: string,
    readonly folder: string,
    private currentPort: number,
    private readonly options: MariaDbServerOptions,
  ) {}

  /** Creates a data folder and starts a server on it. */
  static async start(options: MariaDbServerOptions = {}): Promise<MariaDbServer> {
    if (!existsSync(MARIADBD)) {
      throw new Error(`${MARIADBD} is missing: install mariadb-server (npm run services does as root)`);
    }
    const name = options.name ?? 'mariadb';
    const folder = await mkdtemp(join(tmpdir(), `sk-${name}-`));
    const server = new MariaDbServer(name, folder, await freePort(), options);
    try {
      await server.install();
      // The port was free a moment ago; another process (or a server started beside this one) may
      // have taken it since: then another free port.
      for (let attempt = 1; ; attempt++) {
        try {
          await server.startProcess();
          break;
        } catch (error) {
          if (attempt === 3 || !/Address already in use|Can't start server/i.test((error as Error).message))
            throw error;
          server.port = await freePort();
        }
      }
    } catch (error) {
      await server.remove();
      throw error;
    }
    return server;
  }

  readonly host = HOST;
  readonly user = USER;
  readonly password = '';

  /** Chosen at the first start and kept across restarts. */
  get port(): number {
    return this.currentPort;
  }

  private set port(port: number) {
    this.currentPort = port;
  }

  get dataDir(): string {
    return join(this.folder, 'data');
  }

  get socketPath(): string {
    return join(this.folder, 'mysqld.sock');
  }

  get errorLogPath(): string {
    return join(this.folder, 'error.log');
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Settings for `withOverrides(config, { database: server.databaseConfig() })` (TCP, not the socket). */
  databaseConfig(): Pick<DatabaseConfig, 'host' | 'port' | 'user' | 'password' | 'socketPath'> {
    return { host: HOST, port: this.port, user: USER, password: '', socketPath: undefined };
  }

  /** A new connection as root (the caller ends it), optionally with a default database. */
  connect(database?: string): Promise<Connection> {
    return createConnection({
      host: HOST,
      port: this.port,
      user: USER,
      database,
      connectTimeout: 2_000,
      multipleStatements: false,
    });
  }

  /** One statement on a short-lived connection. */
  async query<T extends RowDataPacket = RowDataPacket>(sql: string, params: unknown[] = []): Promise<T[]> {
    const connection = await this.connect();
    try {
      const [rows] = await connection.query<T[]>(sql, params);
      return rows;
    } finally {
      await connection.end();
    }
  }

  /** Starts it again after `stop()` or `kill()`: same data folder, same port. */
  async start(): Promise<void> {
    if (this.child) throw new Error(`${this.name} is already running`);
    await this.startProcess();
  }

  /** A clean shutdown (SIGTERM, InnoDB flushed), waited for. */
  async stop(timeoutMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    await this.waitForExit(timeoutMs, 'SIGTERM');
  }

  /** A crash: SIGKILL, waited for. The next `start()` runs InnoDB crash recovery. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await this.waitForExit(10_000, 'SIGKILL');
  }

  /** `stop()` (or `kill()` with `{ crash: true }`) then `start()`. */
  async restart({ crash = false }: { crash?: boolean } = {}): Promise<void> {
    if (crash) await this.kill();
    else await this.stop();
    await this.start();
  }

  /** Stops the server (SIGKILL: its data is thrown away) and deletes its folder. */
  async remove(): Promise<void> {
    await this.kill();
    await rm(this.folder, { recursive: true, force: true });
  }

  /**
   * Makes this server a replica of `primary` (which must keep a binary log) from the primary's
   * first binary log on, with GTIDs, and waits until both replication threads run. Call it on two
   * fresh servers, before the primary gets data: mariadb-install-db made their system tables alike
   * and everything since is in the primary's binary log.
   */
  async replicaOf(primary: MariaDbServer): Promise<void> {
    if (!primary.options.binaryLog) throw new Error(`${primary.name} keeps no binary log`);
    await this.query(
      `CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = '',
         MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1`,
      [HOST, primary.port, USER],
    );
    await this.startReplication();
  }

  /** START SLAVE, waiting until both threads run (or failing with the replica's last error). */
  async startReplication(timeoutMs = 15_000): Promise<void> {
    await this.query('START SLAVE');
    await waitFor(
      async () => {
        const status = await this.replicationStatus();
        // A thread that stopped with an error will not recover (one still connecting retries).
        const stopped = status?.ioRunning === 'No' || status?.sqlRunning === 'No';
        if (stopped && status?.lastError)
          throw new Error(`${this.name}: replication failed: ${status.lastError}`);
        return status?.ioRunning === 'Yes' && status.sqlRunning === 'Yes';
      },
      timeoutMs,
      `${this.name}'s replication threads to run`,
    );
  }

  /** STOP SLAVE: the replica keeps answering, with the data it had (a replica that lags for good). */
  async stopReplication(): Promise<void> {
    await this.query('STOP SLAVE');
  }

  async replicationStatus(): Promise<ReplicationStatus | undefined> {
    const [row] = await this.query('SHOW SLAVE STATUS');
    if (!row) return undefined;
    const behind = row.Seconds_Behind_Master as string | number | null;
    return {
      ioRunning: String(row.Slave_IO_Running),
      sqlRunning: String(row.Slave_SQL_Running),
      lastError: String(row.Last_IO_Error || row.Last_SQL_Error || ''),
      secondsBehindMaster: behind === null ? null : Number(behind),
    };
  }

  /** Waits until this replica has applied everything `primary` has written to its binary log so far. */
  async waitForReplicaToCatchUp(primary: MariaDbServer, timeoutSeconds = 15): Promise<void> {
    const [{ position }] = await primary.query<RowDataPacket & { position: string }>(
      'SELECT @@GLOBAL.gtid_binlog_pos AS position',
    );
    const [{ result }] = await this.query<RowDataPacket & { result: number }>(
      'SELECT MASTER_GTID_WAIT(?, ?) AS result',
      [position, timeoutSeconds],
    );
    if (Number(result) !== 0) {
      throw new Error(
        `${this.name} did not reach ${primary.name}'s position ${position} in ${timeoutSeconds} s`,
      );
    }
  }

  /**
   * Records every statement clients send from now on (the general log, into mysql.general_log),
   * starting from an empty record. Log tables are not replicated: each server records its own.
   */
  async recordStatements(): Promise<void> {
    await this.query("SET GLOBAL log_output = 'TABLE'");
    await this.query('SET GLOBAL general_log = ON');
    await this.query('TRUNCATE mysql.general_log');
  }

  /** What clients sent since `recordStatements()`, oldest first (the recording's own statements left out). */
  async statements(): Promise<string[]> {
    const rows = await this.query<RowDataPacket & { statement: string }>(
      `SELECT CONVERT(argument USING utf8mb4) AS statement FROM mysql.general_log
        WHERE command_type IN ('Query', 'Execute') ORDER BY event_time`,
    );
    return rows.map((row) => row.statement).filter((statement) => !/general_log/i.test(statement));
  }

  private async install(): Promise<void> {
    await mkdir(this.tmpDir);
    await promisify(execFile)(
      INSTALL_DB,
      [
        '--no-defaults',
        `--datadir=${this.dataDir}`,
        `--user=${userInfo().username}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--skip-name-resolve',
        ...this.commonArgs(),
      ],
      { timeout: 60_000 },
    );
  }

  /**
   * Small, so a server starts in about a second and several fit on a shared machine; and a tmpdir of
   * its own: a starting mariadbd deletes the `#sql*` files it finds in its tmpdir, so servers (and
   * mariadb-install-db's bootstrap) sharing the system one broke each other's temporary tables.
   */
  private commonArgs(): string[] {
    return ['--innodb-buffer-pool-size=16M', '--innodb-log-file-size=4M', `--tmpdir=${this.tmpDir}`];
  }

  private get tmpDir(): string {
    return join(this.folder, 'tmp');
  }

  private args(): string[] {
    const { binaryLog, readOnly, extraArgs = [] } = this.options;
    return [
      '--no-defaults',
      ...(isRoot ? ['--user=root'] : []),
      `--datadir=${this.dataDir}`,
      `--port=${this.port}`,
      `--bind-address=${HOST}`,
      `--socket=${this.socketPath}`,
      `--pid-file=${join(this.folder, 'mysqld.pid')}`,
      `--log-error=${this.errorLogPath}`,
      '--skip-name-resolve',
      '--performance-schema=OFF',
      '--innodb-flush-log-at-trx-commit=2',
      ...this.commonArgs(),
      `--server-id=${this.options.serverId ?? this.port}`,
      ...(binaryLog ? ['--log-bin=binlog', '--binlog-format=ROW'] : []),
      ...(readOnly ? ['--read-only=ON'] : []),
      ...extraArgs,
    ];
  }

  private async startProcess(): Promise<void> {
    const child = spawn(MARIADBD, this.args(), { stdio: 'ignore' });
    this.child = child;
    this.exited = supervise(child, () => {
      if (this.child === child) this.child = undefined;
    });
    try {
      await waitFor(
        async () => {
          if (this.child !== child) throw new Error(`${this.name} exited while starting`);
          return this.answers();
        },
        30_000,
        `${this.name} to accept connections on port ${this.port}`,
      );
    } catch (error) {
      child.kill('SIGKILL');
      await this.exited;
      throw new Error(`${(error as Error).message}\n${await this.errorLogTail()}`, { cause: error });
    }
  }

  private async answers(): Promise<boolean> {
    try {
      const connection = await this.connect();
      await connection.end();
      return true;
    } catch {
      return false;
    }
  }

  private async waitForExit(timeoutMs: number, signal: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.exited.then(() => 'exited' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      throw new Error(`${this.name} did not exit within ${timeoutMs} ms of ${signal}`);
  }

  private async errorLogTail(): Promise<string> {
    const log = await readFile(this.errorLogPath, 'utf8').catch(() => '(no error log)');
    return log.split('\n').slice(-15).join('\n');
  }
}
