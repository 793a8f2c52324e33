// Set-based writes of metric records, one transaction per write (a RecordMetrics batch or a stream chunk):
// 1. under the tenant's shared posts lock, one query names the posts the write refers to that are not registered
//    (their records are rejected: there is no per-row foreign key, see migration 20261126000001);
// 2. fast path: binary COPY of the ledger rows inside a savepoint, then binary COPY of the family rows. Every id new
//    is the common case of a stream, and it costs what a raw COPY of the same rows costs;
// 3. when an id is already in the ledger (23505: a retried stream, a reused id), the savepoint is rolled back, one
//    statement claims the ids with ON CONFLICT DO NOTHING, the family rows of the claimed ids are COPYed, and a
//    last statement reads the stored hashes of the rest (duplicate or conflict).
// A single record (unary RecordMetrics) is one statement instead (see writeOne).
// NOTE: the payload goes through the database once (no staging table): staging it, then INSERT … SELECT, cost
// twice a raw COPY, and creating a temp table per chunk churned the catalog (see docs/benchmarks.md).
import { createHash } from 'node:crypto';
import type { Db } from '../../db/connect.js';
import { fromDbError } from '../../db/pg-errors.js';
import { withSession, withTransaction, type Session } from '../../db/session.js';
import { BinaryCopyWriter } from '../../db/binary-copy.js';
import type { ColumnType, FamilySpec } from '../families.js';
import type { MetricPartitionRepository } from '../storage/partition.repository.js';
import type { PreparedRecord, StoredRecordResult } from '../metrics.types.js';

/** First key of the tenant "posts" advisory lock (ASCII "mlps"); the second is derived from the tenant id. */
const POSTS_LOCK_NAMESPACE = 0x6d6c7073;

/**
 * Takes the tenant's posts lock until the end of the transaction: shared by metric writes between their post check
 * and their commit, exclusive for DeleteContent, so that no family row is written for a post being deleted.
 */
export async function lockTenantPosts(s: Session, tenantId: string, mode: 'shared' | 'exclusive'): Promise<void> {
  const tenantKey = createHash('sha256').update(tenantId).digest().readInt32BE(0);
  await s.query(`select ${mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock'}($1::int4, $2::int4)`, [
    POSTS_LOCK_NAMESPACE,
    tenantKey,
  ]);
}

const MISSING_POSTS_SQL = `select s.post_id from unnest($2::text[]) as s(post_id)
  where not exists (select 1 from posts p where p.tenant_id = $1 and p.post_id = s.post_id)`;

const LEDGER_COPY_SQL = 'copy metric_records (tenant_id, record_id, family, payload_hash, observed_at) from stdin (format binary)';

// NOTE: ids are claimed in the order given (the same order as the fast path's COPY), so that two transactions
// writing the same ids wait on each other instead of deadlocking; a concurrent writer's uncommitted claim makes
// this one wait, then skip the id.
const CLAIM_SQL = `insert into metric_records (tenant_id, record_id, family, payload_hash, observed_at)
  select $1, s.record_id, s.family, decode(s.payload_hash, 'hex'), s.observed_at
  from unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[]) with ordinality as s(record_id, family, payload_hash, observed_at, ord)
  order by s.ord
  on conflict (tenant_id, record_id) do nothing
  returning record_id`;

// NOTE: a separate statement, so that (in READ COMMITTED) it sees ids a concurrent writer committed meanwhile.
const STORED_HASHES_SQL = `select s.ord::int4 - 1 as ord, m.payload_hash as stored_hash
  from unnest($2::text[]) with ordinality as s(record_id, ord)
  left join metric_records m on m.tenant_id = $1 and m.record_id = s.record_id`;

const copyStatements = new Map<string, string>();

function familyCopySql(spec: FamilySpec): string {
  let sql = copyStatements.get(spec.name);
  if (!sql) {
    sql = `copy ${spec.table} (tenant_id, record_id, observed_at, ${spec.columns.map((c) => c.column).join(', ')}) from stdin (format binary)`;
    copyStatements.set(spec.name, sql);
  }
  return sql;
}

/** A text value encoded once as a binary COPY field, to append to every row (the tenant id, a family name). */
function textField(value: string): Buffer {
  return new BinaryCopyWriter(value.length * 3 + 8, false).text(value).written();
}

/** The binary COPY payload of family rows (tenant_id, record_id, then the fields encoded by `encodeRecord`). */
export function familyRowsPayload(spec: FamilySpec, tenantId: string, records: readonly PreparedRecord[]): Buffer {
  const tenant = textField(tenantId);
  let bytes = 0;
  for (const r of records) bytes += r.fields.length + r.recordId.length * 3 + tenant.length + 6;
  const writer = new BinaryCopyWriter(bytes + 64);
  const fieldCount = 3 + spec.columns.length;
  for (const r of records) writer.row(fieldCount).append(tenant).text(r.recordId).append(r.fields);
  return writer.finish();
}

function ledgerPayload(tenantId: string, records: readonly PreparedRecord[]): Buffer {
  const tenant = textField(tenantId);
  const families = new Map<FamilySpec, Buffer>();
  const writer = new BinaryCopyWriter(records.length * (100 + tenant.length) + 64);
  for (const r of records) {
    let family = families.get(r.spec);
    if (!family) families.set(r.spec, (family = textField(r.spec.name)));
    writer.row(5).append(tenant).text(r.recordId).append(family).bytea(r.hash).timestamptz(r.observedMs);
  }
  return writer.finish();
}

const postIdOf = (r: PreparedRecord) => r.values[0] as string;

const WRITTEN: StoredRecordResult = { kind: 'written' };
const UNKNOWN_POST: StoredRecordResult = { kind: 'unknown_post' };

/**
 * Claims the records' ids in the ledger (records sorted by id). Returns undefined when every id was new (the fast
 * path), else the ids claimed.
 */
async function claim(s: Session, tenantId: string, records: readonly PreparedRecord[]): Promise<Set<string> | undefined> {
  await s.query('savepoint ledger_copy');
  try {
    await s.copyFrom(LEDGER_COPY_SQL, ledgerPayload(tenantId, records));
    await s.query('release savepoint ledger_copy');
    return undefined;
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    await s.query('rollback to savepoint ledger_copy');
  }
  const params = [
    tenantId,
    records.map((r) => r.recordId),
    records.map((r) => r.spec.name),
    records.map((r) => r.hash.toString('hex')),
    records.map((r) => new Date(r.observedMs).toISOString()),
  ];
  return new Set((await s.query<{ record_id: string }>(CLAIM_SQL, params)).rows.map((r) => r.record_id));
}

/** Writes records with distinct ids in the open transaction; returns what became of each one (aligned with `records`). */
async function writeMany(s: Session, tenantId: string, records: readonly PreparedRecord[]): Promise<StoredRecordResult[]> {
  const outcomes: StoredRecordResult[] = new Array(records.length);
  const postIds = new Set<string>();
  for (const r of records) if (r.spec.postKeyed) postIds.add(postIdOf(r));
  let missing = new Set<string>();
  if (postIds.size > 0) {
    await lockTenantPosts(s, tenantId, 'shared');
    missing = new Set((await s.query<{ post_id: string }>(MISSING_POSTS_SQL, [tenantId, [...postIds]])).rows.map((r) => r.post_id));
  }
  const writable: number[] = [];
  records.forEach((r, i) => {
    if (r.spec.postKeyed && missing.has(postIdOf(r))) outcomes[i] = UNKNOWN_POST;
    else writable.push(i);
  });
  if (writable.length === 0) return outcomes;
  writable.sort((a, b) => (records[a].recordId < records[b].recordId ? -1 : records[a].recordId > records[b].recordId ? 1 : 0));
  const sorted = writable.map((i) => records[i]);
  const claimed = await claim(s, tenantId, sorted);
  const byFamily = new Map<FamilySpec, PreparedRecord[]>();
  const unclaimed: number[] = [];
  for (const i of writable) {
    const r = records[i];
    if (claimed && !claimed.has(r.recordId)) {
      unclaimed.push(i);
      continue;
    }
    outcomes[i] = WRITTEN;
    const rows = byFamily.get(r.spec);
    if (rows) rows.push(r);
    else byFamily.set(r.spec, [r]);
  }
  for (const [spec, rows] of byFamily) await s.copyFrom(familyCopySql(spec), familyRowsPayload(spec, tenantId, rows));
  if (unclaimed.length > 0) {
    const stored = await s.query<{ ord: number; stored_hash: Uint8Array | null }>(STORED_HASHES_SQL, [tenantId, unclaimed.map((i) => records[i].recordId)]);
    for (const row of stored.rows) outcomes[unclaimed[row.ord]] = { kind: 'id_taken', storedHash: row.stored_hash };
  }
  return outcomes;
}

/** SQL type of a parameter of writeOne (through text, so that both drivers pass the value as it is). */
function paramCast(type: ColumnType): string {
  switch (type) {
    case 'text':
    case 'platform':
      return '::text';
    case 'int8':
      return '::int8';
    case 'float8':
      return '::float8';
    case 'bool':
      return '::boolean';
    case 'jsonb':
      return '::text::jsonb';
    case 'float4[]':
      return '::text::real[]';
  }
}

function paramValue(type: ColumnType, value: unknown): unknown {
  switch (type) {
    case 'jsonb':
      // jsonb keeps no key order: the stored value is the same as from the sorted bytes COPY sends.
      return JSON.stringify(value);
    case 'float4[]': {
      const values = value as number[];
      return values.length === 0 ? null : `{${values.join(',')}}`;
    }
    default:
      return value;
  }
}

const oneRecordStatements = new Map<string, string>();

/**
 * One record in one statement: the post's key-share lock (post families), the ledger claim and the family row.
 * $1 tenant, $2 record id, $3 hash (hex), $4 observed at, then the columns.
 * NOTE: the key-share lock makes a concurrent DeleteContent of the post wait for this statement's commit (it deletes
 * the post before the family rows); a post deleted meanwhile is not found, and the record is rejected.
 */
function oneRecordSql(spec: FamilySpec): string {
  let sql = oneRecordStatements.get(spec.name);
  if (sql) return sql;
  const columns = spec.columns.map((c, i) => `$${i + 5}${paramCast(c.type)}`);
  const post = spec.postKeyed ? `with post as (select 1 from posts where tenant_id = $1 and post_id = $5 for key share), ` : 'with ';
  sql = `${post}claimed as (
      insert into metric_records (tenant_id, record_id, family, payload_hash, observed_at)
      select $1, $2, '${spec.name}', decode($3::text, 'hex'), $4::text::timestamptz ${spec.postKeyed ? 'from post' : ''}
      on conflict (tenant_id, record_id) do nothing
      returning 1)
    insert into ${spec.table} (tenant_id, record_id, observed_at, ${spec.columns.map((c) => c.column).join(', ')})
    select $1, $2, $4::text::timestamptz, ${columns.join(', ')} from claimed`;
  oneRecordStatements.set(spec.name, sql);
  return sql;
}

const ONE_RECORD_STATE_SQL = `select (select payload_hash from metric_records where tenant_id = $1 and record_id = $2) as stored_hash,
  ($3::text is null or exists (select 1 from posts where tenant_id = $1 and post_id = $3)) as post_known`;

/** Writes one record with one statement (no BEGIN/COMMIT round trips); a second one explains a record not written. */
async function writeOne(s: Session, tenantId: string, r: PreparedRecord): Promise<StoredRecordResult> {
  const params = [
    tenantId,
    r.recordId,
    r.hash.toString('hex'),
    new Date(r.observedMs).toISOString(),
    ...r.spec.columns.map((c, i) => paramValue(c.type, r.values[i])),
  ];
  const written = await s.query(oneRecordSql(r.spec), params);
  if (written.rowCount === 1) return WRITTEN;
  const [state] = (
    await s.query<{ stored_hash: Uint8Array | null; post_known: boolean }>(ONE_RECORD_STATE_SQL, [tenantId, r.recordId, r.spec.postKeyed ? postIdOf(r) : null])
  ).rows;
  if (!state.post_known) return UNKNOWN_POST;
  return { kind: 'id_taken', storedHash: state.stored_hash };
}

/** A row's observation month has no partition (23514 "no partition of relation … found for row"). */
function noPartition(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e.code === '23514' && /no partition/i.test(e.message ?? '');
}

/** Thrown inside the transaction to roll back a write its caller does not keep. */
class RollBack extends Error {
  constructor(readonly results: StoredRecordResult[]) {
    super('roll back');
  }
}

const DEADLOCK_RETRIES = 3;

/** Repository of metric record writes (the ledger and the family tables). */
export class MetricIngestRepository {
  constructor(
    private readonly db: Db,
    private readonly partitions: MetricPartitionRepository,
  ) {}

  /**
   * Writes records with distinct ids in one transaction and returns what became of each one (aligned with
   * `records`). When `keep` says no to the results, the whole write is rolled back (`committed` false).
   */
  async writeRecords(
    tenantId: string,
    records: readonly PreparedRecord[],
    keep: (results: readonly StoredRecordResult[]) => boolean = () => true,
  ): Promise<{ results: StoredRecordResult[]; committed: boolean }> {
    const attempt =
      records.length === 1
        ? // One record: nothing to roll back when it is not kept, so it needs no transaction either.
          () => withSession(this.db, async (s) => [await writeOne(s, tenantId, records[0])])
        : () =>
            withTransaction(this.db, async (s) => {
              const results = await writeMany(s, tenantId, records);
              if (!keep(results)) throw new RollBack(results);
              return results;
            });
    await this.partitions.ensureMonths(records.map((r) => r.observedMs));
    for (let retry = 0; ; retry++) {
      try {
        const results = await attempt();
        // A transaction that returned was kept; a single record is judged here.
        return { results, committed: records.length > 1 || keep(results) };
      } catch (err) {
        if (err instanceof RollBack) return { results: err.results, committed: false };
        // NOTE: deadlocks should not happen (ids are claimed in order) but a retry is cheap and keeps them invisible.
        if ((err as { code?: string }).code === '40P01' && retry < DEADLOCK_RETRIES) continue;
        // NOTE: a month this process knew was dropped meanwhile (retention, maybe by another replica): create it
        // again and retry, once.
        if (noPartition(err) && retry === 0) {
          this.partitions.forget();
          await this.partitions.ensureMonths(records.map((r) => r.observedMs));
          continue;
        }
        throw fromDbError(err, 'metric records') ?? err;
      }
    }
  }
}
