// What `npm run backup` and `npm run restore` share: the MariaDB/MySQL command-line clients reached
// with the app's DB_* settings (the password in a 0600 option file, never on a command line or in
// the output), the per-table checksums a backup is verified with, and loading a dump into a database.
import type { DatabaseConfig } from '@app/config';
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { type Connection, createConnection } from 'mysql2/promise';

/** What a database name may be (DB_NAME is validated the same way), so backticks quote it safely. */
export const DATABASE_NAME = /^[A-Za-z0-9_]{1,64}$/;

/** Per table: its row count and `CHECKSUM TABLE … EXTENDED` value (a string: it can exceed 2^53). */
export type TableChecksums = Record<string, { rows: number; checksum: string | null }>;

/** The first of these programs on PATH (MariaDB names its tools mariadb-*, MySQL mysql*). */
export function findTool(names: string[]): string {
  for (const name of names) {
    const found = spawnSync(name, ['--version'], { encoding: 'utf8' });
    if (found.status === 0) return name;
  }
  throw new Error(`none of ${names.join(', ')} is installed (apt-get install mariadb-client)`);
}

export const dumpTool = () => findTool(['mariadb-dump', 'mysqldump']);
export const clientTool = () => findTool(['mariadb', 'mysql']);

/**
 * Client options in a private option file (mode 0600 in a fresh 0700 folder), for
 * `--defaults-extra-file`: the password never appears in `ps`, in the environment of children or
 * in the output. `dispose()` removes it.
 */
export async function optionFile(
  config: DatabaseConfig,
): Promise<{ path: string; dispose(): Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), 'storekeep-backup-'));
  const path = join(folder, 'client.cnf');
  const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines = [
    '[client]',
    `user=${quote(config.user)}`,
    `password=${quote(config.password)}`,
    ...(config.socketPath
      ? [`socket=${quote(config.socketPath)}`]
      : [`host=${quote(config.host)}`, `port=${config.port}`, 'protocol=TCP']),
  ];
  await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { path, dispose: () => rm(folder, { recursive: true, force: true }) };
}

export function connect(config: DatabaseConfig, database?: string): Promise<Connection> {
  return createConnection({
    host: config.host,
    port: config.port,
    ...(config.socketPath ? { socketPath: config.socketPath } : {}),
    user: config.user,
    password: config.password,
    ...(database ? { database } : {}),
    connectTimeout: 10_000,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
}

export async function baseTables(connection: Connection, database: string): Promise<string[]> {
  const [rows] = await connection.query(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
    [database],
  );
  return (rows as Array<{ name: string }>).map((row) => row.name);
}

/** Every base table's row count and checksum. Meant for a database nobody writes to (a restored copy). */
export async function tableChecksums(connection: Connection, database: string): Promise<TableChecksums> {
  const result: TableChecksums = {};
  for (const table of await baseTables(connection, database)) {
    const [checksum] = await connection.query(`CHECKSUM TABLE \`${database}\`.\`${table}\` EXTENDED`);
    const [count] = await connection.query(`SELECT COUNT(*) AS n FROM \`${database}\`.\`${table}\``);
    const value = (checksum as Array<{ Checksum: string | number | null }>)[0]?.Checksum;
    result[table] = {
      rows: Number((count as Array<{ n: string | number }>)[0].n),
      checksum: value === null || value === undefined ? null : String(value),
    };
  }
  return result;
}

/** The tables whose row count or checksum differ between two sets, and tables only one side has. */
export function compareChecksums(expected: TableChecksums, actual: TableChecksums): string[] {
  const problems: string[] = [];
  for (const [table, want] of Object.entries(expected)) {
    const got = actual[table];
    if (!got) problems.push(`${table}: missing`);
    else if (got.rows !== want.rows || got.checksum !== want.checksum)
      problems.push(
        `${table}: ${got.rows} rows, checksum ${got.checksum}; expected ${want.rows} rows, checksum ${want.checksum}`,
      );
  }
  for (const table of Object.keys(actual))
    if (!(table in expected)) problems.push(`${table}: not in the backup`);
  return problems;
}

export async function databaseCharset(
  connection: Connection,
  database: string,
): Promise<{ characterSet: string; collation: string } | null> {
  const [rows] = await connection.query(
    `SELECT DEFAULT_CHARACTER_SET_NAME AS characterSet, DEFAULT_COLLATION_NAME AS collation
       FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`,
    [database],
  );
  return (rows as Array<{ characterSet: string; collation: string }>)[0] ?? null;
}

export async function createDatabase(
  connection: Connection,
  database: string,
  charset: { characterSet: string; collation: string },
): Promise<void> {
  if (!/^\w+$/.test(charset.characterSet) || !/^\w+$/.test(charset.collation))
    throw new Error(`unexpected character set ${charset.characterSet} / ${charset.collation}`);
  await connection.query(
    `CREATE DATABASE \`${database}\` CHARACTER SET ${charset.characterSet} COLLATE ${charset.collation}`,
  );
}

/** Runs a gzipped SQL dump into `database` with the command-line client. */
export async function loadDump(config: DatabaseConfig, file: string, database: string): Promise<void> {
  const options = await optionFile(config);
  try {
    const child = spawn(
      clientTool(),
      [`--defaults-extra-file=${options.path}`, '--default-character-set=utf8mb4', '--batch', database],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    const exited = exitOf(child, 'restore');
    await Promise.all([pipeline(createReadStream(file), createGunzip(), child.stdin), exited]);
  } finally {
    await options.dispose();
  }
}

/** Resolves when a child exits 0; rejects with the tail of its stderr otherwise. */
export function exitOf(child: ReturnType<typeof spawn>, what: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${what} failed (${signal ?? `exit ${code}`}): ${stderr.trim() || 'no message'}`)),
    );
  });
}
