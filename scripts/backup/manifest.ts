import { readFile } from 'node:fs/promises';
import type { TableChecksums } from './mysql-tools';

export const MANIFEST_FORMAT = 'storekeep-backup/1';

/** What `npm run backup` writes beside each dump (`<dump>.manifest.json`) and `npm run restore` checks. */
export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  /** When the dump started and when the backup (dump and verification) finished, ISO 8601. */
  startedAt: string;
  finishedAt: string;
  database: { name: string; server: string; characterSet: string; collation: string };
  dump: { file: string; bytes: number; sha256: string; tool: string; options: string[] };
  /**
   * Row count and `CHECKSUM TABLE … EXTENDED` of every table, taken from the dump itself: it was
   * restored into a scratch database and checksummed there, so they describe exactly the snapshot
   * the dump holds (the live database moved on while it was taken).
   */
  tables: TableChecksums;
  verifiedIn: string;
  /** What is not in the backup, by design (README, "Backups"). */
  notIncluded: string;
}

export const manifestPath = (dumpFile: string): string =>
  `${dumpFile.replace(/\.sql\.gz$/, '')}.manifest.json`;

export async function readManifest(dumpFile: string): Promise<BackupManifest> {
  const path = manifestPath(dumpFile);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8')) as BackupManifest;
  } catch (error) {
    throw new Error(`cannot read the manifest ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (manifest.format !== MANIFEST_FORMAT)
    throw new Error(`${path} is not a Storekeep backup manifest (format ${String(manifest.format)})`);
  return manifest;
}
