// Set-based writes of metric records: binary COPY into a temp staging table per family, then one statement that
// claims the ids in the ledger (ON CONFLICT DO NOTHING) and inserts the family rows of the claimed ones, then one
// that classifies the rest (retry of the same payload, reuse of the id, unknown post).
import type { Db } from '../db/connect.js';
import { fromDbError } from '../db/pg-errors.js';
import { withTransaction, type Session } from '../db/session.js';
import { BinaryCopyWriter } from '../db/binary-copy.js';
import { sqlType, type ColumnType, type FamilySpec } from './families.js';
import { conflictOutcome, type PreparedRecord } from './ingest.js';
import type { RecordOutcome } from './metrics.types.js';
import { platformName } from './platform.js';

/** Statements of one family, built once. */
interface FamilyStatements {
  createStage: string;
  copy: string;
  insert: string;
  classify: string;
}

const statementsCache = new Map<string, FamilyStatements>();

function statementsOf(spec: FamilySpec): FamilyStatements {
  let cached = statementsCache.get(spec.name);
  if (cached) return cached;
  const stage = `stage_${spec.table}`;
  const columns = spec.columns.map((c) => c.column);
  const postKnown = `exists (select 1 from posts p where p.tenant_id = $1 and p.post_id = s.post_id)`;
  cached = {
    createStage: `create temp table ${stage} (ord int4, record_id text, payload_hash bytea, observed_at timestamptz, ${spec.columns
      .map((c) => `${c.column} ${sqlType(c.type)}`)
      .join(', ')}) on commit drop`,
    copy: `copy ${stage} (ord, record_id, payload_hash, observed_at, ${columns.join(', ')}) from stdin (format binary)`,
    // NOTE: ids are claimed in record_id order so that two transactions writing the same ids wait on each other
    // instead of deadlocking; a concurrent writer's uncommitted claim makes this one wait, then skip the id.
    insert: `with claimed as (
        insert into metric_records (tenant_id, record_id, family, payload_hash, observed_at)
        select $1, s.record_id, '${spec.name}', s.payload_hash, s.observed_at from ${stage} s
        ${spec.postKeyed ? `where ${postKnown}` : ''}
        order by s.record_id
        on conflict (tenant_id, record_id) do nothing
        returning record_id
      ), written as (
        insert into ${spec.table} (tenant_id, record_id, observed_at, ${columns.join(', ')})
        select $1, s.record_id, s.observed_at, ${columns.map((c) => `s.${c}`).join(', ')} from ${stage} s join claimed using (record_id)
      )
      select s.ord from ${stage} s join claimed using (record_id)`,
    // NOTE: a separate statement, so that (in READ COMMITTED) it sees ids a concurrent writer committed meanwhile.
    classify: `select s.ord, m.payload_hash = s.payload_hash as same_payload, ${spec.postKeyed ? postKnown : 'true'} as post_known
      from ${stage} s left join metric_records m on m.tenant_id = $1 and m.record_id = s.record_id`,
  };
  statementsCache.set(spec.name, cached);
  return cached;
}

function writeValue(writer: BinaryCopyWriter, type: ColumnType, value: unknown): void {
  switch (type) {
    case 'text':
      writer.text(value as string);
      break;
    case 'platform':
      writer.text(platformName(value as number)!);
      break;
    case 'int8':
      writer.int8(value as number);
      break;
    case 'float8':
      writer.float8(value as number);
      break;
    case 'bool':
      writer.bool(value as boolean);
      break;
    case 'jsonb':
      writer.jsonb(JSON.stringify(value));
      break;
    case 'float4[]': {
      const values = value as number[];
      if (values.length === 0) writer.null();
      else writer.float4Array(values);
      break;
    }
  }
}

/** The binary COPY payload of one family's records; `ord` is the position in `records`. */
export function stagingPayload(spec: FamilySpec, records: readonly PreparedRecord[]): Buffer {
  const writer = new BinaryCopyWriter(records.length * 256);
  const fieldCount = 4 + spec.columns.length;
  records.forEach((r, ord) => {
    writer.row(fieldCount).int4(ord).text(r.recordId).bytea(r.hash).timestamptz(r.observedMs);
    spec.columns.forEach((c, i) => writeValue(writer, c.type, r.values[i]));
  });
  return writer.finish();
}

async function writeFamily(s: Session, tenantId: string, spec: FamilySpec, records: PreparedRecord[]): Promise<RecordOutcome[]> {
  const sql = statementsOf(spec);
  await s.query(sql.createStage);
  await s.copyFrom(sql.copy, stagingPayload(spec, records));
  const written = (await s.query<{ ord: number }>(sql.insert, [tenantId])).rows.map((r) => r.ord);
  const outcomes: RecordOutcome[] = new Array(records.length);
  for (const ord of written) outcomes[ord] = { kind: 'accepted' };
  // The common case, every record new, needs no second look.
  if (written.length === records.length) return outcomes;
  const all = await s.query<{ ord: number; same_payload: boolean | null; post_known: boolean }>(sql.classify, [tenantId]);
  for (const row of all.rows) {
    if (outcomes[row.ord]) continue;
    const record = records[row.ord];
    if (!row.post_known) {
      const postId = record.values[0] as string;
      outcomes[row.ord] = { kind: 'rejected', field: `${spec.name}.post_id`, reason: `post "${postId}" is not registered; call RegisterPost first` };
    } else if (row.same_payload) {
      outcomes[row.ord] = { kind: 'duplicate' };
    } else if (row.same_payload === false) {
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
