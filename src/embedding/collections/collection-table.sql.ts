// SQL text of a collection's own table (pure string building, unit-tested): its name, the statements that create it
// with its indices, and its HNSW index (built with the table, or later by indexing/).
import { createHash } from 'node:crypto';
import { columnType, table, TEXT_COLUMN, vectorType } from '../embedding.sql.js';
import type { CollectionSpec, DistanceName } from '../embedding.types.js';

/** The table of a collection: derived from tenant and name, so it is a safe identifier whatever the name. */
export function tableNameFor(tenantId: string, name: string): string {
  return `emb_${createHash('sha256').update(`${tenantId}\u0000${name}`).digest('hex').slice(0, 24)}`;
}

const OPCLASS_SUFFIX: Record<DistanceName, string> = { cosine: 'cosine_ops', l2: 'l2_ops', inner_product: 'ip_ops' };

/**
 * The HNSW index of a collection's table. `concurrently` (Postgres, a background build) keeps writes flowing
 * while it builds; a build killed mid-way then leaves an INVALID index of this name, dropped before a rebuild.
 */
export function hnswIndexStatement(
  tableName: string,
  spec: Pick<CollectionSpec, 'precision' | 'distance' | 'hnswM' | 'hnswEfConstruction'>,
  concurrently: boolean,
): string {
  const t = table({ tableName });
  const opclass = `${columnType(spec.precision)}_${OPCLASS_SUFFIX[spec.distance]}`;
  const m = Math.trunc(spec.hnswM);
  const efConstruction = Math.trunc(spec.hnswEfConstruction);
  return `create index ${concurrently ? 'concurrently ' : ''}if not exists ${hnswIndexName(tableName)} on ${t} using hnsw (embedding ${opclass}) with (m = ${m}, ef_construction = ${efConstruction})`;
}

/** The name of a collection's HNSW index. */
export function hnswIndexName(tableName: string): string {
  return `${table({ tableName })}_hnsw`;
}

/**
 * The statements that create a collection's table and indices; the HNSW index only when the collection is
 * indexed from the start (indexing threshold 0), else it is built later (deferred indexing).
 */
export function createTableStatements(tableName: string, spec: CollectionSpec): string[] {
  const t = table({ tableName });
  return [
    `create table ${t} (
       id text primary key,
       content_id text not null,
       embedding ${vectorType(spec)} not null,
       metadata jsonb not null default '{}',
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now()${textColumn(spec)}
     )`,
    // NOTE: keeps vectors inline: TOASTed vectors (over ~2 KB) make exact scans several times slower.
    `alter table ${t} alter column embedding set storage plain`,
    ...((spec.indexingThreshold ?? 0) === 0 ? [hnswIndexStatement(tableName, spec, false)] : []),
    `create index ${t}_content on ${t} (content_id)`,
    `create index ${t}_metadata on ${t} using gin (metadata jsonb_path_ops)`,
    `create index ${t}_created on ${t} (created_at)`,
    ...((spec.textFields ?? []).length > 0 ? [`create index ${t}_text on ${t} using gin (${TEXT_COLUMN})`] : []),
  ];
}

/** A SQL string literal. NOTE: only for validated names (fields, languages): values always go as parameters. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The tsvector column definition (with its leading comma) of a collection with text fields, else nothing. Each
 * field's value is taken as text (`->>`: a string as it is, anything else as its JSON text), the fields joined by
 * spaces. NOTE: a generated column cannot take parameters, so the validated names are written as literals.
 */
function textColumn(spec: Pick<CollectionSpec, 'textFields' | 'textLanguage'>): string {
  const fields = spec.textFields ?? [];
  if (fields.length === 0) return '';
  const text = fields.map((field) => `coalesce(metadata ->> ${literal(field)}, '')`).join(` || ' ' || `);
  return `,
       ${TEXT_COLUMN} tsvector generated always as (to_tsvector(${literal(spec.textLanguage ?? 'simple')}::regconfig, ${text})) stored`;
}
