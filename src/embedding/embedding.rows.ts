// Row shapes of the embedding tables and their mapping to the area's types: the registry row, a point row, and the
// binary COPY rows a write sends. Shared by the area's repositories (collections, points, search, indexing).
import { BinaryCopyWriter } from '../db/binary-copy.js';
import type { CollectionInfo, DistanceName, EmbeddingTypeName, IndexStateName, Metadata, PointInput, PrecisionName, StoredPoint } from './embedding.types.js';
import { binaryFieldEncoder } from './vectors/pgvector-binary.js';
import { fromPgvectorText } from './vectors/vector-codec.js';

export interface CollectionRow {
  name: string;
  embedding_type: string;
  dimension: number;
  distance: string;
  precision: string;
  hnsw_m: number;
  hnsw_ef_construction: number;
  hnsw_ef_search: number;
  description: string;
  table_name: string;
  point_count: number | string;
  created_at: Date;
  index_state: string;
  indexing_threshold: number | string;
  text_fields: string[];
  text_language: string;
}

export interface PointRow {
  id: string;
  content_id: string;
  metadata: Metadata;
  created_at: Date;
  updated_at: Date;
  vector_text?: string;
  distance?: number;
}

export const COLLECTION_COLUMNS = `name, embedding_type, dimension, distance, precision, hnsw_m, hnsw_ef_construction, hnsw_ef_search,
  description, table_name, point_count, created_at, index_state, indexing_threshold,
  text_fields, text_language`;

/** The registry columns qualified by a table alias (`c.name, c.embedding_type, …`), for joins. */
export function collectionColumns(tableAlias: string): string {
  return COLLECTION_COLUMNS.split(',')
    .map((column) => `${tableAlias}.${column.trim()}`)
    .join(', ');
}

export function toCollection(row: CollectionRow): CollectionInfo {
  return {
    name: row.name,
    embeddingType: row.embedding_type as EmbeddingTypeName,
    dimension: row.dimension,
    distance: row.distance as DistanceName,
    precision: row.precision as PrecisionName,
    hnswM: row.hnsw_m,
    hnswEfConstruction: row.hnsw_ef_construction,
    hnswEfSearch: row.hnsw_ef_search,
    description: row.description,
    tableName: row.table_name,
    pointCount: Number(row.point_count),
    createdAt: row.created_at,
    indexState: row.index_state as IndexStateName,
    indexingThreshold: Number(row.indexing_threshold),
    textFields: row.text_fields,
    textLanguage: row.text_language,
  };
}

export function toPoint(row: PointRow): StoredPoint {
  return {
    id: row.id,
    contentId: row.content_id,
    vector: row.vector_text === undefined ? undefined : fromPgvectorText(row.vector_text),
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Binary COPY rows (id, content_id, embedding, metadata) of points for a collection's precision. */
export function copyRows(points: readonly PointInput[], precision: PrecisionName): Buffer {
  const encodeVector = binaryFieldEncoder(precision);
  const writer = new BinaryCopyWriter();
  for (const p of points) writer.row(4).text(p.id).text(p.contentId).bytea(encodeVector(p.vector)).jsonb(JSON.stringify(p.metadata));
  return writer.finish();
}
