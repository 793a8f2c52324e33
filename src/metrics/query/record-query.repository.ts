// Reads of metric records: one family, filters, optional latest observation per series, keyset paging on
// (observed_at, record_id) so every row is returned exactly once across pages.
import type { Db } from '../../db/connect.js';
import { withDbErrors } from '../../db/pg-errors.js';
import { withSession } from '../../db/session.js';
import type { ColumnType, FamilySpec } from '../families.js';
import type { KeyedRecord, MetricFilter, MetricPageKey, MetricPayload } from '../metrics.types.js';

/** A stored row of a family table, plus its keyset position. */
type MetricRow = Record<string, unknown> & { record_id: string; observed_at: Date; observed_us: number | string };

/** Rebuilds a payload from a stored row (column name → value as the driver returns it). */
export function payloadFromRow(spec: FamilySpec, row: Record<string, unknown>): MetricPayload {
  const value: Record<string, unknown> = {};
  for (const c of spec.columns) value[c.property] = decodeColumn(c.type, row[c.column]);
  return { family: spec.name, value } as unknown as MetricPayload;
}

function decodeColumn(type: ColumnType, raw: unknown): unknown {
  switch (type) {
    case 'text':
    case 'platform':
      return raw == null ? '' : String(raw);
    case 'int8':
    case 'float8':
      return Number(raw);
    case 'bool':
      return Boolean(raw);
    case 'jsonb':
      return (raw ?? {}) as object;
    case 'float4[]':
      return Array.isArray(raw) ? raw.map(Number) : [];
  }
}

/** Collects bindings and hands out their $n placeholders. */
class Bindings {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The conditions of a filter on family table `f` (joined to posts `p` when the family is post-keyed). */
function conditions(filter: MetricFilter, tenantId: string, bind: Bindings): string[] {
  const { spec } = filter;
  const where = [`f.tenant_id = ${bind.add(tenantId)}`];
  if (filter.postIds.length > 0) where.push(`f.post_id = any(${bind.add(filter.postIds)}::text[])`);
  if (filter.contentIds.length > 0) {
    where.push(`${spec.postKeyed ? 'p.content_id' : `f.${spec.contentColumn}`} = any(${bind.add(filter.contentIds)}::text[])`);
  }
  if (filter.platform) where.push(`${spec.postKeyed ? 'p.platform' : `f.${spec.platformColumn}`} = ${bind.add(filter.platform)}`);
  if (filter.startTime) where.push(`f.observed_at >= ${bind.add(filter.startTime)}`);
  if (filter.endTime) where.push(`f.observed_at < ${bind.add(filter.endTime)}`);
  return where;
}

/** The family table `f`, joined to posts `p` when a post-keyed family is filtered by content or platform. */
function fromClause(filter: MetricFilter): string {
  const needsPosts = filter.spec.postKeyed && (filter.contentIds.length > 0 || filter.platform !== undefined);
  return `${filter.spec.table} f${needsPosts ? ' join posts p on p.tenant_id = f.tenant_id and p.post_id = f.post_id' : ''}`;
}

/** Builds the page query (exported for the checked-in SQL snapshot test). */
export function metricPageSql(filter: MetricFilter, tenantId: string, after: MetricPageKey | undefined, limit: number): { sql: string; params: unknown[] } {
  const { spec } = filter;
  const bind = new Bindings();
  const from = fromClause(filter);
  const where = conditions(filter, tenantId, bind);
  // NOTE: observed_us is exact (numeric extract), so the keyset comparison never skips or repeats a row.
  const keyset = after
    ? `(r.observed_at, r.record_id) > (timestamptz 'epoch' + ${bind.add(after.observedUs)}::int8 * interval '1 microsecond', ${bind.add(after.recordId)}::text)`
    : 'true';
  const rows = filter.latestOnly
    ? `select distinct on (${spec.latestKey.map((c) => `f.${c}`).join(', ')}) f.* from ${from} where ${where.join(' and ')}
       order by ${spec.latestKey.map((c) => `f.${c}`).join(', ')}, f.observed_at desc, f.record_id desc`
    : `select f.* from ${from} where ${where.join(' and ')}`;
  const sql = `select r.*, (extract(epoch from r.observed_at) * 1000000)::int8 as observed_us
    from (${rows}) r
    where ${keyset}
    order by r.observed_at, r.record_id
    limit ${bind.add(limit)}`;
  return { sql, params: bind.values };
}

/** Builds the count query of a filter (what an export will send). */
export function metricCountSql(filter: MetricFilter, tenantId: string): { sql: string; params: unknown[] } {
  const { spec } = filter;
  const bind = new Bindings();
  const from = fromClause(filter);
  const where = conditions(filter, tenantId, bind).join(' and ');
  const rows = filter.latestOnly
    ? `select distinct ${spec.latestKey.map((c) => `f.${c}`).join(', ')} from ${from} where ${where}`
    : `select 1 from ${from} where ${where}`;
  return { sql: `select count(*)::int8 as n from (${rows}) r`, params: bind.values };
}

/** Reads of metric records. */
export class MetricQueryRepository {
  constructor(private readonly db: Db) {}

  /** One page of records of a family in (observe time, record id) order, after `after`, at most `limit`. */
  async page(tenantId: string, filter: MetricFilter, after: MetricPageKey | undefined, limit: number): Promise<KeyedRecord[]> {
    const { sql, params } = metricPageSql(filter, tenantId, after, limit);
    const rows = await withDbErrors(`${filter.spec.name} records`, () => withSession(this.db, async (s) => (await s.query<MetricRow>(sql, params)).rows));
    return rows.map((row) => ({
      record: { recordId: row.record_id, observedAt: row.observed_at, payload: payloadFromRow(filter.spec, row) },
      key: { observedUs: Number(row.observed_us), recordId: row.record_id },
    }));
  }

  /** How many records the filter matches (an export's total, for its progress). */
  async count(tenantId: string, filter: MetricFilter): Promise<number> {
    const { sql, params } = metricCountSql(filter, tenantId);
    const rows = await withDbErrors(`${filter.spec.name} records`, () => withSession(this.db, async (s) => (await s.query<{ n: number }>(sql, params)).rows));
    return Number(rows[0]?.n ?? 0);
  }
}
