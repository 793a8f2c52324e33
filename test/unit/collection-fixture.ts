// Shared fixtures of the embedding unit tests: a small collection and a helper catching a rejection.
import { tableNameFor } from '../../src/embedding/collections/collection-table.sql.js';
import type { CollectionInfo } from '../../src/embedding/embedding.types.js';
import { AppError } from '../../src/errors.js';

/** A 2-d cosine float32 collection "clip" of tenant "default". */
export const clipCollection: CollectionInfo = {
  name: 'clip',
  embeddingType: 'visual_clip',
  dimension: 2,
  distance: 'cosine',
  precision: 'float32',
  hnswM: 16,
  hnswEfConstruction: 128,
  hnswEfSearch: 100,
  description: '',
  tableName: tableNameFor('default', 'clip'),
  pointCount: 0,
  createdAt: new Date(0),
  indexState: 'ready',
  indexingThreshold: 0,
  textFields: [],
  textLanguage: 'simple',
};

/** The AppError `fn` throws; fails the test when it throws nothing or something else. */
export function rejection(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}
