import type Keyv from 'keyv';
import type { SqliteLikeAdapter } from '../keyv-sqlite-tuning.js';
import type { Mutex } from '../mutex.js';
import { Work } from './work.js';

/**
 * Runs `body` as one unit of work: alone in this process (one queue per underlying store) and, on a
 * SQLite file, inside one transaction (`BEGIN IMMEDIATE` for writes), so processes may share the file.
 * Writes wait in the Work until the body is done and are then sent at once.
 */
export async function transaction<T>(
  keyv: Keyv,
  mutex: Mutex,
  sql: SqliteLikeAdapter | undefined,
  body: (work: Work) => Promise<T>,
  write: boolean,
): Promise<T> {
  return mutex.run(async () => {
    const begin = sql?.query(write ? 'BEGIN IMMEDIATE' : 'BEGIN');
    begin?.catch(() => undefined);
    // On our own connection statements run in call order, so the reads may follow BEGIN at once;
    // nothing is written before BEGIN is confirmed, as writes wait in the Work until commit.
    if (begin && !sql?.batching) await begin;
    const batching = write ? sql?.batching : undefined;
    try {
      const work = new Work(keyv);
      const result = await body(work);
      await begin;
      if (batching) {
        // The writes and the COMMIT travel in one round trip.
        batching.open();
        await work.commit();
        await batching.commit();
      } else {
        if (write) await work.commit();
        if (sql) await sql.query('COMMIT');
      }
      return result;
    } catch (error) {
      batching?.discard();
      if (sql) await sql.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
