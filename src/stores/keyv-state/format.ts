import { StoreError } from '../../core/errors.js';
import { foreignFile, readSqliteTables } from '../sqlite-file-guard.js';
import type { Work } from './work.js';

export const FORMAT_KEY = '__csdn-crawl-state';
/**
 * 2: records with spelled-out field names. A format-1 store (one-letter names) is read as it is and
 * marked 2 on the first open for writing: its records take the new names as their IDs move, and an
 * older csdn-crawl then refuses the store instead of misreading new records.
 */
export const FORMAT_VERSION = 2;
const READS: readonly number[] = [1, 2];

/** Writes the format marker on a new store, upgrades a format-1 marker, refuses anything else. */
export async function settleFormat(work: Work, label: string): Promise<void> {
  const format = await work.get<{ version: number }>(FORMAT_KEY);
  if (format && !READS.includes(format.version)) {
    throw new StoreError(
      `${label} holds state format ${format.version}, this version reads ${READS.join(' and ')}`,
      { hint: 'use the csdn-crawl version that wrote it, or start a new state file' },
    );
  }
  if (format?.version !== FORMAT_VERSION) {
    work.set(FORMAT_KEY, { app: 'csdn-crawl', kind: 'state', version: FORMAT_VERSION });
  }
}

/** A SQLite file is ours when it carries the marker, or is empty of anything another program made. */
export async function checkStateFile(file: string, what: string): Promise<void> {
  let marked = false;
  let rows = 0;
  const tables = await readSqliteTables(file, what, (db) => {
    const hasKeyv = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'keyv'").get();
    if (!hasKeyv) return;
    marked = !!db.prepare(`SELECT 1 FROM keyv WHERE key GLOB '*:${FORMAT_KEY}' LIMIT 1`).get();
    rows = (db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM keyv LIMIT 1)').get() as { n: number }).n;
  });
  if (marked) return;
  const own = tables.filter((name) => !name.startsWith('sqlite_'));
  if (own.length === 0 || (own.length === 1 && own[0] === 'keyv' && rows === 0)) return;
  throw foreignFile(file, what, 'is a SQLite database of another program (no csdn-crawl state in it)');
}
