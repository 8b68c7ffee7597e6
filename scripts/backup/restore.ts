// Restores a backup of `npm run backup` into a new database and proves it complete (README, "Backups"):
//   npm run restore -- backups/storekeep-shop-20261207T210000Z.sql.gz                 into DB_NAME
//   npm run restore -- backups/storekeep-shop-20261207T210000Z.sql.gz --database shop_restored
//   npm run restore -- <file> --database shop --force     replace a database that has tables
// Checks the file against its manifest's SHA-256, creates the database (with the original's character
// set), loads the dump, then compares the row count and checksum of every table with the manifest.
// A database that has tables is refused unless --force (then it is dropped and created again).
// Point the app at the restored database (DB_NAME) and start it; see the README for Redis.
// Exit codes: 0 restored and every table matches, 1 failed, 2 bad arguments, 3 restored but a table
// does not match the backup, 4 the target database has tables (and no --force), 78 bad configuration.
import { loadConfigOrExit } from '@app/config';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { readManifest } from './manifest';
import {
  baseTables,
  compareChecksums,
  connect,
  createDatabase,
  DATABASE_NAME,
  databaseCharset,
  loadDump,
  tableChecksums,
} from './mysql-tools';

const USAGE = 'usage: npm run restore -- <backup.sql.gz> [--database NAME] [--force]';
const print = (line: string) => process.stdout.write(`restore: ${line}\n`);
const fail = (line: string) => process.stderr.write(`restore: ${line}\n`);

async function main(): Promise<number> {
  let file: string;
  let target: string | undefined;
  let force: boolean;
  try {
    const { values, positionals } = parseArgs({
      options: { database: { type: 'string' }, force: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new Error('name one backup file');
    [file] = positionals;
    target = values.database;
    force = values.force;
    if (target !== undefined && !DATABASE_NAME.test(target))
      throw new Error('--database: letters, digits and _ only, at most 64');
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const config = loadConfigOrExit().database;
  const database = target ?? config.name;
  const manifest = await readManifest(file);

  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');
  if (sha256 !== manifest.dump.sha256)
    throw new Error(
      `${file} is not the file its manifest describes (SHA-256 ${sha256}, expected ${manifest.dump.sha256})`,
    );

  const connection = await connect(config);
  try {
    if (await databaseCharset(connection, database)) {
      const tables = await baseTables(connection, database);
      if (tables.length > 0 && !force) {
        fail(
          `database ${database} has ${tables.length} tables: restore into a new one (--database NAME) or add --force to replace it`,
        );
        return 4;
      }
      await connection.query(`DROP DATABASE \`${database}\``);
    }
    await createDatabase(connection, database, manifest.database);
    const started = Date.now();
    await loadDump(config, file, database);
    print(
      `loaded ${file} (backup of ${manifest.database.name} taken ${manifest.startedAt}) into ${database} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    const actual = await tableChecksums(connection, database);
    const problems = compareChecksums(manifest.tables, actual);
    const rows = Object.values(actual).reduce((sum, table) => sum + table.rows, 0);
    if (problems.length > 0) {
      for (const problem of problems) fail(`mismatch: ${problem}`);
      fail(`${problems.length} of ${Object.keys(manifest.tables).length} tables do not match the backup`);
      return 3;
    }
    print(`checksums match the backup: ${Object.keys(actual).length} tables, ${rows} rows`);
    return 0;
  } finally {
    await connection.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    fail(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
