// Set-based writes of metric records. Per family, one statement claims the ids in the ledger (ON CONFLICT DO
// NOTHING) from parameter arrays, then binary COPY writes the family rows of the claimed ids straight into the
// family table; a last statement classifies the rest (retry of the same payload, reuse of the id, unknown post).
// NOTE: the payload goes through the database once (no staging table): staging it, then INSERT … SELECT, cost
// twice a raw COPY, and creating a temp table per chunk churned the catalog (see docs/benchmarks.md).
import type { Db } from '../db/connect.js';
import { fromDbError } from '../db/pg-errors.js';
import { withTransaction, type Session } from '../db/session.js';
import { BinaryCopyWriter } from '../db/binary-copy.js';
import { hashMatches } from './canonical.js';
import type { FamilySpec } from './families.js';
import { conflictOutcome, type PreparedRecord } from './ingest.js';
import type { RecordOutcome } from './metrics.types.js';

/** Statements of one family, built once. */
interface FamilyStatements {
  claim: string;
  copy: string;
  classify: string;
}

const statementsCache = new Map<string, FamilyStatements>();

/** The records of a write as parameter arrays: $2 ids, $3 payload hashes (hex), $4 observed times, $5 post ids. */
const SOURCE = `unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[]) with ordinality as s(record_id, payload_hash, observed_at, post_id, ord)`;

function statementsOf(spec: FamilySpec): FamilyStatements {
  let cached = statementsCache.get(spec.name);
  if (cached) return cached;
  const postKnown = `exists (select 1 from posts p where p.tenant_id = $1 and p.post_id = s.post_id)`;
  cached = {
    // NOTE: ids are claimed in record_id order so that two transactions writing the same ids wait on each other
    // instead of deadlocking; a concurrent writer's uncommitted claim makes this one wait, then skip the id.
    claim: `insert into metric_records (tenant_id, record_id, family, payload_hash, observed_at)
      select $1, s.record_id, '${spec.name}', decode(s.payload_hash, 'hex'), s.observed_at from ${SOURCE}
      ${spec.postKeyed ? `where ${postKnown}` : ''}
      order by s.record_id
      on conflict (tenant_id, record_id) do nothing
      returning record_id`,
    copy: `copy ${spec.table} (tenant_id, record_id, observed_at, ${spec.columns.map((c) => c.column).join(', ')}) from stdin (format binary)`,
    // NOTE: a separate statement, so that (in READ COMMITTED) it sees ids a concurrent writer committed meanwhile.
    classify: `select s.ord::int4 - 1 as ord, m.payload_hash as stored_hash, ${spec.postKeyed ? postKnown : 'true'} as post_known
      from ${SOURCE} left join metric_records m on m.tenant_id = $1 and m.record_id = s.record_id`,
  };
  statementsCache.set(spec.name, cached);
  return cached;
}

/** The binary COPY payload of family rows (tenant_id, record_id, then the fields encoded by `encodeRecord`). */
export function familyRowsPayload(spec: FamilySpec, tenantId: string, records: readonly PreparedRecord[]): Buffer {
  let bytes = 0;
  for (const r of records) bytes += r.fields.length + r.recordId.length * 3 + tenantId.length * 3 + 10;
  const writer = new BinaryCopyWriter(bytes + 64);
  const fieldCount = 3 + spec.columns.length;
  for (const r of records) writer.row(fieldCount).text(tenantId).text(r.recordId).append(r.fields);
  return writer.finish();
}

/** The parameters of SOURCE for these records. */
function sourceParams(spec: FamilySpec, tenantId: string, records: readonly PreparedRecord[]): unknown[] {
  return [
    tenantId,
    records.map((r) => r.recordId),
    records.map((r) => r.hash.toString('hex')),
    records.map((r) => new Date(r.observedMs).toISOString()),
    records.map((r) => (spec.postKeyed ? (r.values[0] as string) : '')),
  ];
}

async function writeFamily(s: Session, tenantId: string, spec: FamilySpec, records: PreparedRecord[]): Promise<RecordOutcome[]> {
  const sql = statementsOf(spec);
  const params = sourceParams(spec, tenantId, records);
  const claimed = new Set((await s.query<{ record_id: string }>(sql.claim, params)).rows.map((r) => r.record_id));
  const outcomes: RecordOutcome[] = new Array(records.length);
  const written: PreparedRecord[] = [];
  records.forEach((r, ord) => {
    if (!claimed.has(r.recordId)) return;
    outcomes[ord] = { kind: 'accepted' };
    written.push(r);
  });
  if (written.length > 0) await s.copyFrom(sql.copy, familyRowsPayload(spec, tenantId, written));
  // The common case, every record new, needs no second look.
  if (written.length === records.length) return outcomes;
  const all = await s.query<{ ord: number; stored_hash: Uint8Array | null; post_known: boolean }>(sql.classify, params);
  for (const row of all.rows) {
    if (outcomes[row.ord]) continue;
    const record = records[row.ord];
    if (!row.post_known) {
      const postId = record.values[0] as string;
      outcomes[row.ord] = { kind: 'rejected', field: `${spec.name}.post_id`, reason: `post "${postId}" is not registered; call RegisterPost first` };
    } else if (row.stored_hash && hashMatches(record, row.stored_hash)) {
      outcomes[row.ord] = { kind: 'duplicate' };
    } else if (row.stored_hash) {
      outcomes[row.ord] = conflictOutcome(record.recordId);
    } else {
      // Claimed by a concurrent writer that then rolled back: not written; a retry will write it.
      outcomes[row.ord] = { kind: 'rejected', field: 'record_id', reason: 'record was not written because of a concurrent write; send it again' };
    }
  }
  return outcomes;
}

/** Thrown inside the transaction to roll back an all-or-nothing write that had rejections. */
class RollBack extends Error {
  constructor(readonly outcomes: RecordOutcome[]) {
    super('roll back');
  }
}

const DEADLOCK_RETRIES = 3;

/**
 * Writes records with distinct ids in one transaction and returns each one's outcome (aligned with `records`).
 * With `allOrNothing`, any rejection rolls the whole write back (`committed` false).
 */
export async function writeRecords(
  db: Db,
  tenantId: string,
  records: readonly PreparedRecord[],
  allOrNothing: boolean,
): Promise<{ outcomes: RecordOutcome[]; committed: boolean }> {
  const byFamily = new Map<FamilySpec, number[]>();
  records.forEach((r, i) => {
    const positions = byFamily.get(r.spec) ?? [];
    positions.push(i);
    byFamily.set(r.spec, positions);
  });
  const attempt = () =>
    withTransaction(db, async (s) => {
      const outcomes: RecordOutcome[] = new Array(records.length);
      for (const [spec, positions] of byFamily) {
        const familyOutcomes = await writeFamily(s, tenantId, spec, positions.map((p) => records[p]));
        positions.forEach((p, i) => (outcomes[p] = familyOutcomes[i]));
      }
      if (allOrNothing && outcomes.some((o) => o.kind === 'rejected')) throw new RollBack(outcomes);
      return outcomes;
    });
  for (let retry = 0; ; retry++) {
    try {
      return { outcomes: await attempt(), committed: true };
    } catch (err) {
      if (err instanceof RollBack) return { outcomes: err.outcomes, committed: false };
      // NOTE: deadlocks should not happen (ids are claimed in order) but a retry is cheap and keeps them invisible.
      if ((err as { code?: string }).code === '40P01' && retry < DEADLOCK_RETRIES) continue;
      throw fromDbError(err, 'metric records') ?? err;
    }
  }
}
