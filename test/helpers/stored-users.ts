import Database from 'better-sqlite3';

/** Users stored as done, read from a SQLite results file while a crawler writes it (0 before it exists). */
export function storedUsers(file: string): number {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("select count(*) as n from users where status = 'done'").get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}
