// EmbeddingService messages ⇄ the embedding area's types: enums by their lower-case names, collections, aliases,
// points and hits (vectors as repeated floats or packed float32), and SearchContent's request and fused hits.
import {
  type Alias,
  type Collection,
  Distance,
  EmbeddingType,
  Fusion,
  IndexState,
  type Point,
  Precision,
  type ScoredPoint,
  type SearchContentRequest,
  type SearchContentResponse,
  type Vector,
  VectorEncoding,
} from '../gen/stakazo/ml/v1/embedding.js';
import { fromEnum } from '../grpc/enums.js';
import type { ContentHit } from './content-search/content-search.types.js';
import type { SearchContentRequest as SearchContentInput } from './content-search/content-search.validate.js';
import type { AliasInfo, CollectionInfo, ScoredPoint as DomainScoredPoint, StoredPoint } from './embedding.types.js';
import { encodeFloat32Le } from './vectors/vector-codec.js';

/** The lower-case name of an enum value without its prefix ("DISTANCE_L2" → "l2"); "unrecognized" for unknown numbers. */
export function enumName(values: Record<number, string>, value: number, prefix: string): string {
  return value === 0 ? 'unspecified' : (fromEnum(values, prefix, value) ?? 'unrecognized');
}

/** The enum value of a lower-case name ("l2" → DISTANCE_L2). */
function enumValue<E>(values: Record<string, unknown>, name: string, prefix: string): E {
  return values[`${prefix}${name.toUpperCase()}`] as E;
}

export function toProtoCollection(c: CollectionInfo): Collection {
  return {
    name: c.name,
    embeddingType: enumValue<EmbeddingType>(EmbeddingType, c.embeddingType, 'EMBEDDING_TYPE_'),
    dimension: c.dimension,
    distance: enumValue<Distance>(Distance, c.distance, 'DISTANCE_'),
    precision: enumValue<Precision>(Precision, c.precision, 'PRECISION_'),
    hnsw: { m: c.hnswM, efConstruction: c.hnswEfConstruction, efSearch: c.hnswEfSearch },
    description: c.description,
    pointCount: c.pointCount,
    createTime: c.createdAt,
    indexState: enumValue<IndexState>(IndexState, c.indexState, 'INDEX_STATE_'),
    indexingThreshold: c.indexingThreshold,
    indexBuildProgress: c.indexBuild,
    textFields: c.textFields,
    textLanguage: c.textLanguage,
  };
}

export function toProtoAlias(a: AliasInfo): Alias {
  return { alias: a.alias, collection: a.collection, createTime: a.createdAt, updateTime: a.updatedAt };
}

function toProtoVector(values: Float32Array | undefined, encoding: VectorEncoding): Vector | undefined {
  if (!values) return undefined;
  if (encoding === VectorEncoding.VECTOR_ENCODING_FLOAT32_LE) return { values: [], float32Le: encodeFloat32Le(values) };
  return { values: Array.from(values), float32Le: Buffer.alloc(0) };
}

export function toProtoPoint(p: StoredPoint, encoding: VectorEncoding): Point {
  return {
    id: p.id,
    contentId: p.contentId,
    vector: toProtoVector(p.vector, encoding),
    metadata: p.metadata,
    createTime: p.createdAt,
    updateTime: p.updatedAt,
  };
}

export function toProtoHit(hit: DomainScoredPoint, encoding: VectorEncoding): ScoredPoint {
  return { point: toProtoPoint(hit.point, encoding), score: hit.score, distance: hit.distance };
}

/** The request as the validator takes it (the fusion as its lower-case name). */
export function toSearchContentInput(request: SearchContentRequest): SearchContentInput {
  const fusion = request.fusion === 0 ? 'unspecified' : (fromEnum(Fusion, 'FUSION_', request.fusion) ?? `unrecognized value ${request.fusion}`);
  return { ...request, fusion };
}

export function toSearchContentResponse(hits: readonly ContentHit[]): SearchContentResponse {
  return { hits: hits.map((hit) => ({ contentId: hit.contentId, score: hit.score, evidence: hit.evidence.map((e) => ({ ...e })) })) };
}
