import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MariaDbServer } from '../support/mariadb-server';
import { runEntry } from '../support/processes';

// `npm run backup` / `restore` as a least-known user of a private server whose password has every
// character an option file or a shell could trip on: both work, neither prints the password, and
// binary columns, non-ASCII text and triggers come back as they were.
describe('backup and restore with a real password', () => {
  const password = `pa ss"wo\\rd#'$x;=[client]`;
  let server: MariaDbServer;
  let folder: string;

  beforeAll(async () => {
    server = await MariaDbServer.start({ name: 'backup' });
    folder = await mkdtemp(join(tmpdir(), 'storekeep-backup-credentials-'));
    await server.query('CREATE USER ?@? IDENTIFIED BY ?', ['sk_backup', '127.0.0.1', password]);
    await server.query('GRANT ALL PRIVILEGES ON *.* TO ?@?', ['sk_backup', '127.0.0.1']);
    await server.query('CREATE DATABASE shop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    await server.query(
      'CREATE TABLE shop.notes (id INT PRIMARY KEY, note VARCHAR(100), data BLOB, edited INT NOT NULL DEFAULT 0) ENGINE=InnoDB',
    );
    // Unqualified, as a migration would write it: a trigger written as `shop.notes_edited` keeps that
    // name in the dump and would be restored into `shop`, whatever database the restore targets.
    const connection = await server.connect('shop');
    await connection.query(
      'CREATE TRIGGER notes_edited BEFORE UPDATE ON notes FOR EACH ROW SET NEW.edited = OLD.edited + 1',
    );
    await connection.end();
    await server.query('INSERT INTO shop.notes (id, note, data) VALUES (1, ?, ?), (2, NULL, ?)', [
      'Grüße 🧾 naïve',
      Buffer.from([0, 255, 39, 92, 10, 13, 26]),
      Buffer.alloc(0),
    ]);
  }, 60_000);

  afterAll(async () => {
    await server?.remove();
    await rm(folder, { recursive: true, force: true });
  });

  const run = (script: 'backup' | 'restore', args: string[], secret = password) =>
    runEntry(
      `scripts/backup/${script}.ts`,
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DB_HOST: server.host,
        DB_PORT: String(server.port),
        DB_USER: 'sk_backup',
        DB_PASSWORD: secret,
        DB_NAME: 'shop',
      },
      undefined,
      args,
    );

  it('backs up and restores without printing the password; blobs, text and triggers survive', async () => {
    const backup = run('backup', ['--out', folder]);
    expect({ code: await backup.exited, output: backup.output() }).toEqual({
      code: 0,
      output: expect.stringContaining('verified: restored into scratch database'),
    });
    expect(backup.output()).not.toContain('wo\\rd');
    const dump = (await readdir(folder)).find((name) => name.endsWith('.sql.gz'));
    if (!dump) throw new Error(`no dump in ${folder}`);

    const restore = run('restore', [join(folder, dump), '--database', 'shop_copy']);
    expect({ code: await restore.exited, output: restore.output() }).toEqual({
      code: 0,
      output: expect.stringContaining('checksums match the backup: 1 tables, 2 rows'),
    });
    expect(restore.output()).not.toContain('wo\\rd');

    const rows = await server.query('SELECT id, note, HEX(data) AS data FROM shop_copy.notes ORDER BY id');
    expect(rows.map((row) => ({ ...row }))).toEqual([
      { id: 1, note: 'Grüße 🧾 naïve', data: '00FF275C0A0D1A' },
      { id: 2, note: null, data: '' },
    ]);
    await server.query('UPDATE shop_copy.notes SET note = ? WHERE id = 2', ['x']);
    const [edited] = await server.query('SELECT edited FROM shop_copy.notes WHERE id = 2');
    expect(edited.edited).toBe(1); // the trigger came along
    // The scratch database the backup verified in is gone.
    const databases = await server.query("SHOW DATABASES LIKE 'shop%'");
    expect(databases.map((row) => String(Object.values(row)[0])).sort()).toEqual(['shop', 'shop_copy']);
  }, 60_000);

  it('fails with the server’s message, not the password, when the password is wrong', async () => {
    const wrong = `${password}-wrong`;
    const backup = run('backup', ['--out', join(folder, 'wrong')], wrong);
    const code = await backup.exited;
    expect({ code, denied: /Access denied/.test(backup.output()) }).toEqual({ code: 1, denied: true });
    expect(backup.output()).not.toContain('wo\\rd');
  }, 30_000);
});
