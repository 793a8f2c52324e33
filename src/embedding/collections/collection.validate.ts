// Validation of the collection requests (CreateCollection, GetCollection, DeleteCollection, ListCollections): plain
// data in and out; enums arrive as lower-case names.
import { nulProblem } from '../../domain/text.js';
import { invalidArgument } from '../../errors.js';
import { oneOf, validateCollectionName } from '../embedding.validate.js';
import {
  DISTANCES,
  EMBEDDING_TYPES,
  PRECISIONS,
  type CollectionSpec,
  type DistanceName,
  type EmbeddingTypeName,
  type PrecisionName,
} from '../embedding.types.js';

/** pgvector's HNSW index limits: the most dimensions an indexed column may have. */
export const MAX_INDEXED_DIMENSIONS: Record<PrecisionName, number> = { float32: 2000, float16: 4000 };
export const HNSW_DEFAULTS = { m: 16, efConstruction: 128, efSearch: 100 } as const;
/** The largest indexing threshold: the most points a collection may hold (LIMIT_MAX_POINTS_PER_COLLECTION's range). */
export const MAX_INDEXING_THRESHOLD = 2_000_000_000;
const MAX_DESCRIPTION_LENGTH = 1000;

export interface CollectionRequest {
  name: string;
  /** Lower-case enum name without prefix, e.g. "visual_clip"; "unspecified" when unset. */
  embeddingType: string;
  dimension: number;
  distance: string;
  precision: string;
  hnsw: { m: number; efConstruction: number; efSearch: number } | undefined;
  description: string;
  /** Unset: the service's default. */
  indexingThreshold?: number | undefined;
  /** Metadata fields for keyword search; absent or empty: none. */
  textFields?: string[];
  /** Text search configuration; absent or empty: "simple". */
  textLanguage?: string;
}
function inRange(value: number, fallback: number, min: number, max: number, field: string): number {
  if (value === 0) return fallback;
  if (value < min || value > max) throw invalidArgument(`${field} is ${value}; use ${min}..${max}, or 0 for the default ${fallback}`, field);
  return value;
}

export function validateCreateCollection(collection: CollectionRequest | undefined): CollectionSpec {
  if (!collection) throw invalidArgument('collection is missing; send the collection to create', 'collection');
  const name = validateCollectionName(collection.name, 'collection.name');
  const embeddingType = oneOf<EmbeddingTypeName>(collection.embeddingType, EMBEDDING_TYPES, undefined, 'collection.embedding_type');
  const distance = oneOf<DistanceName>(collection.distance, DISTANCES, 'cosine', 'collection.distance');
  const precision = oneOf<PrecisionName>(collection.precision, PRECISIONS, 'float32', 'collection.precision');
  const maxDimension = MAX_INDEXED_DIMENSIONS[precision];
  if (collection.dimension < 1 || collection.dimension > maxDimension) {
    const hint = precision === 'float32' ? ` (float16 precision allows up to ${MAX_INDEXED_DIMENSIONS.float16})` : '';
    throw invalidArgument(
      `collection.dimension is ${collection.dimension}; a ${precision} collection with an HNSW index allows 1..${maxDimension} dimensions${hint}`,
      'collection.dimension',
    );
  }
  const hnsw = collection.hnsw ?? { m: 0, efConstruction: 0, efSearch: 0 };
  const hnswM = inRange(hnsw.m, HNSW_DEFAULTS.m, 2, 100, 'collection.hnsw.m');
  const hnswEfConstruction = inRange(hnsw.efConstruction, Math.max(HNSW_DEFAULTS.efConstruction, 2 * hnswM), 4, 1000, 'collection.hnsw.ef_construction');
  if (hnswEfConstruction < 2 * hnswM) {
    throw invalidArgument(
      `collection.hnsw.ef_construction is ${hnswEfConstruction}; it must be at least 2 × m (${2 * hnswM})`,
      'collection.hnsw.ef_construction',
    );
  }
  const hnswEfSearch = inRange(hnsw.efSearch, HNSW_DEFAULTS.efSearch, 1, 1000, 'collection.hnsw.ef_search');
  if (collection.description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalidArgument(
      `collection.description has ${collection.description.length} characters; at most ${MAX_DESCRIPTION_LENGTH}`,
      'collection.description',
    );
  }
  const descriptionNul = nulProblem(collection.description);
  if (descriptionNul) throw invalidArgument(`collection.description ${descriptionNul}`, 'collection.description');
  const indexingThreshold = collection.indexingThreshold;
  if (indexingThreshold !== undefined && (!Number.isSafeInteger(indexingThreshold) || indexingThreshold > MAX_INDEXING_THRESHOLD)) {
    throw invalidArgument(
      `collection.indexing_threshold is ${indexingThreshold}; use 0 (index at once) .. ${MAX_INDEXING_THRESHOLD}, or leave it unset for the service's default`,
      'collection.indexing_threshold',
    );
  }
  return {
    name,
    embeddingType,
    ...(indexingThreshold === undefined ? {} : { indexingThreshold }),
    dimension: collection.dimension,
    distance,
    precision,
    hnswM,
    hnswEfConstruction,
    hnswEfSearch,
    description: collection.description,
    ...validateTextFields(collection.textFields ?? [], collection.textLanguage ?? ''),
  };
}

/** Most metadata fields one collection indexes for keyword search. */
export const MAX_TEXT_FIELDS = 10;
const TEXT_FIELD = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
const TEXT_LANGUAGE = /^[a-z][a-z0-9_]{0,62}$/;

/** The keyword-search fields and language of a new collection (whether the language exists is checked on create). */
function validateTextFields(fields: string[], language: string): { textFields: string[]; textLanguage: string } {
  if (fields.length > MAX_TEXT_FIELDS) {
    throw invalidArgument(`collection.text_fields has ${fields.length} fields; at most ${MAX_TEXT_FIELDS}`, 'collection.text_fields');
  }
  fields.forEach((field, i) => {
    if (!TEXT_FIELD.test(field)) {
      throw invalidArgument(
        `collection.text_fields[${i}] "${field.slice(0, 80)}" is not a field name: use 1..63 letters, digits, "_" and "-", starting with a letter`,
        `collection.text_fields[${i}]`,
      );
    }
  });
  if (language !== '' && !TEXT_LANGUAGE.test(language)) {
    throw invalidArgument(
      `collection.text_language "${language.slice(0, 80)}" is not a text search configuration name, e.g. "simple" or "english"`,
      'collection.text_language',
    );
  }
  return { textFields: [...new Set(fields)], textLanguage: language === '' ? 'simple' : language };
}

export function validateGetCollection(request: { name: string }): string {
  return validateCollectionName(request.name, 'name');
}

export function validateDeleteCollection(request: { name: string }): string {
  return validateCollectionName(request.name, 'name');
}

/** The type to list, or undefined for all. */
export function validateListCollections(request: { embeddingType: string }): EmbeddingTypeName | undefined {
  if (request.embeddingType === 'unspecified') return undefined;
  return oneOf<EmbeddingTypeName>(request.embeddingType, EMBEDDING_TYPES, undefined, 'embedding_type');
}
