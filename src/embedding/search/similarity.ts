// Similarity from distance, the score every search answers with (higher is nearer). Pure.
import type { DistanceName } from '../embedding.types.js';

/** Similarity from pgvector's distance: 1 − d for cosine, −d for L2, and the inner product (<#> is its negative). */
export function scoreFromDistance(distance: DistanceName, value: number): number {
  // NOTE: `0 - value` rather than `-value`, so a zero distance scores +0, not -0.
  return distance === 'cosine' ? 1 - value : 0 - value;
}
