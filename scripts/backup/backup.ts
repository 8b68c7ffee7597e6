// A consistent backup of the app's MySQL/MariaDB database (README, "Backups"):
//   npm run backup                       into ./backups
//   npm run backup -- --out /var/backups/storekeep
// Writes storekeep-<database>-<UTC time>.sql.gz (mariadb-dump/mysqldump --single-transaction: one
// consistent snapshot, taken without locking out the app's writes) and, beside it,
// <same name>.manifest.json: the dump's size and SHA-256 and the row count and checksum of every
// table. The checksums are taken by restoring the dump into a scratch database (dropped after), so
// every backup is proven restorable and `npm run restore` can prove a restore complete.
// Redis is not backed up: nothing in it is needed to restore the shop (README, "What Redis loses").
// Reads the app's DB_* settings (the whole validated configuration, as the seed does). The password
// goes to the client tools in a 0600 option file; it is never printed.
// Exit codes: 0 written and verified, 1 failed, 2 bad arguments, 78 bad configuration.
import { loadConfigOrExit } from '@app/config';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { BackupManifest, MANIFEST_FORMAT, manifestPath } from './manifest';
import {
  connect,
  createDatabase,
  databaseCharset,
  dumpTool,
  exitOf,
  loadDump,
  optionFile,
  tableChecksums,
} from './mysql-tools';

/**
 * --single-transaction: one REPEATABLE READ snapshot for every table (InnoDB), no table locks.
 * --quick streams rows instead of buffering tables; routines and triggers come along; binary
 * columns as hex so the file survives any transport; no tablespace statements (they need PROCESS).
 */
const DUMP_OPTIONS = [
  '--single-transaction',
  '--quick',
  '--routines',
  '--triggers',
  '--hex-blob',
  '--no-tablespaces',
  '--default-character-set=utf8mb4',
];

const NOT_INCLUDED =
  'Redis (caches, rate-limit and sign-in counters, MFA challenges in progress, event-stream tickets and ' +
  'replay history, Bull queues): see README "What Redis loses"';

const print = (line: string) => process.stdout.write(`backup: ${line}\n`);
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

async function main(): Promise<number> {
  let out: string;
  try {
    const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: true });
    out = resolve(values.out ?? 'backups');
  } catch (error) {
    process.stderr.write(`backup: ${(error as Error).message}\nusage: npm run backup -- [--out DIR]\n`);
    return 2;
  }
  const config = loadConfigOrExit().database;
  const database = config.name;
  const startedAt = new Date();
  const stamp = startedAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const file = join(out, `storekeep-${database}-${stamp}.sql.gz`);
  await mkdir(out, { recursive: true });

  const connection = await connect(config);
  const scratch = `${database.slice(0, 40)}_verify_${randomBytes(4).toString('hex')}`;
  let scratchCreated = false;
  try {
    const [[{ version }]] = (await connection.query('SELECT VERSION() AS version')) as unknown as [
      Array<{ version: string }>,
    ];
    const charset = await databaseCharset(connection, database);
    if (!charset) throw new Error(`database ${database} does not exist`);

    const tool = dumpTool();
    const { bytes, sha256 } = await dump(config, tool, database, file);
    const dumpSeconds = seconds(startedAt.getTime());
    print(
      `dumped ${database} with ${tool} ${DUMP_OPTIONS.join(' ')} to ${file} (${bytes} bytes in ${dumpSeconds} s)`,
    );

    await createDatabase(connection, scratch, charset);
    scratchCreated = true;
    await loadDump(config, file, scratch);
    const tables = await tableChecksums(connection, scratch);
    const rows = Object.values(tables).reduce((sum, table) => sum + table.rows, 0);
    print(
      `verified: restored into scratch database ${scratch}: ${Object.keys(tables).length} tables, ${rows} rows`,
    );

    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      database: { name: database, server: version, ...charset },
      dump: { file: basename(file), bytes, sha256, tool, options: DUMP_OPTIONS },
      tables,
      verifiedIn: `scratch database ${scratch} (dropped)`,
      notIncluded: NOT_INCLUDED,
    };
    await writeFile(manifestPath(file), `${JSON.stringify(manifest, null, 2)}\n`);
    print(`wrote ${manifestPath(file)}; ${seconds(startedAt.getTime())} s in all`);
    return 0;
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  } finally {
    if (scratchCreated) await connection.query(`DROP DATABASE IF EXISTS \`${scratch}\``);
    await connection.end();
  }
}

/** Streams the dump through gzip into `file` (via a .partial name, so a failed dump leaves no file). */
async function dump(
  config: Parameters<typeof optionFile>[0],
  tool: string,
  database: string,
  file: string,
): Promise<{ bytes: number; sha256: string }> {
  const options = await optionFile(config);
  const partial = `${file}.partial`;
  try {
    const child = spawn(tool, [`--defaults-extra-file=${options.path}`, ...DUMP_OPTIONS, database], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = exitOf(child, tool);
    const hash = createHash('sha256');
    const hashing = new PassThrough();
    hashing.on('data', (chunk: Buffer) => hash.update(chunk));
    await Promise.all([
      pipeline(child.stdout, createGzip(), hashing, createWriteStream(partial, { mode: 0o600 })),
      exited,
    ]);
    await rename(partial, file);
    return { bytes: (await stat(file)).size, sha256: hash.digest('hex') };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await options.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`backup: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
