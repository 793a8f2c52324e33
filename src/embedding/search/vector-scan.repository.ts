// Running one vector scan, as every search-like statement does: the query vector as a parameter (pgvector's binary
// form where the driver sends it so), HNSW settings kept on the pooled connection, exact scans with index scans off.
import type { Db } from '../../db/connect.js';
import type { QueryResult, Session } from '../../db/session.js';
import type { PrecisionName } from '../embedding.types.js';
import { binaryFieldEncoder } from '../vectors/pgvector-binary.js';
import { toPgvectorText } from '../vectors/vector-codec.js';
import { EXACT_SEARCH_SETTINGS } from './search.sql.js';

/**
 * Whether the database's sessions send a Buffer parameter in binary (Session.binaryParams): pg does, PGlite's
 * driver sends every parameter as text. For statements built before their session is taken.
 */
export function sendsBinaryParams(db: Db): boolean {
  return db.kind !== 'pglite';
}

/** A query vector as a parameter: pgvector's binary form when the driver sends it so, else its text form. */
export function vectorParam(binaryParams: boolean, precision: PrecisionName, values: Float32Array): unknown {
  return binaryParams ? binaryFieldEncoder(precision)(values) : toPgvectorText(values);
}

/**
 * Runs a search statement: an approximate one on the pooled connection with its HNSW settings (set only when they
 * differ, Session.useSettings, so a warm connection needs no statement for them); an exact one in a transaction of
 * its own with index scans off.
 */
export async function runScan<Row>(
  session: Session,
  statement: { sql: string; params: unknown[] },
  exact: boolean,
  settings: Record<string, string>,
): Promise<QueryResult<Row>> {
  if (exact) {
    return session.transaction(async () => {
      await session.useLocalSettings(EXACT_SEARCH_SETTINGS);
      return session.query<Row>(statement.sql, statement.params);
    });
  }
  await session.useSettings(settings);
  return session.query<Row>(statement.sql, statement.params);
}
