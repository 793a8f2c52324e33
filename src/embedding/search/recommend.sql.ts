// SQL text of Recommend's best-score strategy (pure string building, unit-tested): candidates near each positive
// example, each scored against every example as Qdrant's best_score does.
import { distanceOperator, filterConditions, Params, pointColumns, table, vectorType, whereClause } from '../embedding.sql.js';
import { groupCandidateCount } from './search.sql.js';
import type { CollectionInfo, DistanceName, RecommendSearch } from '../embedding.types.js';

/** How many nearest neighbours of each positive example a best-score recommendation scores. */
export function recommendCandidateCount(topK: number, groupByContent: boolean): number {
  return groupByContent ? groupCandidateCount(topK) : Math.min(Math.max(topK * 2, 20), 2000);
}

/** Similarity (higher is nearer) of a distance expression, as scoreFromDistance computes it. */
function similarity(distance: DistanceName, expression: string): string {
  return distance === 'cosine' ? `(1 - ${expression})` : `(0 - ${expression})`;
}

/** Qdrant's scaled fast sigmoid, 0.5 · (s / (1 + |s|) + 1): maps any similarity into (0, 1), keeping the order. */
function sigmoid(expression: string): string {
  return `(0.5 * (${expression} / (1 + abs(${expression})) + 1))`;
}

/**
 * The best-score statement. Each row carries `distance` (to the nearest positive example) and `score`: when the
 * best positive similarity beats the best negative one, sigmoid(best positive) in (0, 1), else −sigmoid(best
 * negative) in (−1, 0), so every point nearer a positive ranks above every point nearer a negative.
 * `positives` and `negatives` are the example vector parameters (pgvector binary or text form).
 * NOTE: each positive's candidates come from its own index scan (`order by distance limit n`), the union of their
 * ids is then scored; with `exact` every point matching the filter is scored instead.
 */
export function bestScoreStatement(
  collection: CollectionInfo,
  search: RecommendSearch,
  positives: readonly unknown[],
  negatives: readonly unknown[],
): { sql: string; params: unknown[] } {
  const params = new Params();
  const t = table(collection);
  const operator = distanceOperator(collection.distance);
  const cast = (vector: unknown) => `${params.add(vector)}::${vectorType(collection)}`;
  const positiveVectors = positives.map(cast);
  const negativeVectors = negatives.map(cast);
  const conditions = filterConditions(search.filter, params);
  if (search.excludeIds.length > 0) conditions.push(`id <> all(${params.add(search.excludeIds)}::text[])`);
  const nearest = (vectors: string[]) => `least(${vectors.map((v) => `embedding ${operator} ${v}`).join(', ')})`;
  let points: string;
  if (search.exact) {
    points = `select * from ${t} ${whereClause(conditions)}`;
  } else {
    const limit = params.add(recommendCandidateCount(search.topK, search.groupByContent));
    const perPositive = positiveVectors.map((v) => `(select id from ${t} ${whereClause(conditions)} order by embedding ${operator} ${v} limit ${limit})`);
    points = `select * from ${t} where id in (${perPositive.join(' union ')})`;
  }
  const positive = similarity(collection.distance, 'distance');
  const negative = similarity(collection.distance, 'negative_distance');
  const scored = `select ${pointColumns(search.withVectors)}, ${nearest(positiveVectors)} as distance,
       ${negativeVectors.length > 0 ? nearest(negativeVectors) : 'null::float8'} as negative_distance
     from (${points}) candidates`;
  const ranked = `select *, case when negative_distance is null or ${positive} > ${negative} then ${sigmoid(positive)} else -${sigmoid(negative)} end as score
     from scored`;
  const topK = params.add(search.topK);
  const sql = search.groupByContent
    ? `with scored as materialized (${scored}), ranked as (${ranked}),
         best as (select distinct on (content_id) * from ranked order by content_id, score desc, id)
       select * from best order by score desc, id limit ${topK}`
    : `with scored as materialized (${scored}), ranked as (${ranked}) select * from ranked order by score desc, id limit ${topK}`;
  return { sql, params: params.values };
}
