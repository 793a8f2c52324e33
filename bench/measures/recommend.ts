// Recommend through gRPC: 3 positive + 2 negative example ids against a single Search on the same collection.
import { RecommendRequest, RecommendStrategy } from '../../src/gen/stakazo/ml/v1/embedding.js';
import type { Backend } from '../backend.js';
import { pointId } from '../data.js';
import { call } from '../grpc.js';
import { infoMeasure, ratioMeasure, type Measure } from '../measure.js';
import { nowMs, percentile, progress } from '../stats.js';
import { grpcSearch, TOP_K } from './search.js';

/** Example ids of repetition `rep`: spread over the collection, different for every repetition. */
function examples(rep: number, vectorCount: number): { positiveIds: string[]; negativeIds: string[] } {
  const ids = Array.from({ length: 5 }, (_, k) => pointId((rep * 7919 + k * 104_729) % vectorCount));
  return { positiveIds: ids.slice(0, 3), negativeIds: ids.slice(3) };
}

function recommendRequest(collection: string, rep: number, vectorCount: number, strategy: RecommendStrategy): RecommendRequest {
  return RecommendRequest.fromPartial({ collection, ...examples(rep, vectorCount), strategy, topK: TOP_K });
}

async function timedRecommend(backend: Backend, request: RecommendRequest): Promise<number> {
  const start = nowMs();
  await call(backend.embedding, backend.embedding.recommend, request);
  return nowMs() - start;
}

/** Recommend p50 (average vector, the default) against Search p50; best score reported beside it. */
export async function measureRecommend(
  backend: Backend,
  collection: string,
  vectorCount: number,
  queries: readonly Float32Array[],
  reps: number,
): Promise<Measure[]> {
  progress(`${backend.name}: ${reps} recommends (3 positives + 2 negatives) of each strategy against ${reps} searches`);
  const average: number[] = [];
  const best: number[] = [];
  const search: number[] = [];
  // NOTE: one untimed call of each first, so connections and the collection cache are warm for all three.
  await timedRecommend(backend, recommendRequest(collection, reps, vectorCount, RecommendStrategy.RECOMMEND_STRATEGY_BEST_SCORE));
  await timedRecommend(backend, recommendRequest(collection, reps, vectorCount, RecommendStrategy.RECOMMEND_STRATEGY_AVERAGE_VECTOR));
  await grpcSearch(backend, collection, queries[0]!);
  for (let rep = 0; rep < reps; rep++) {
    average.push(await timedRecommend(backend, recommendRequest(collection, rep, vectorCount, RecommendStrategy.RECOMMEND_STRATEGY_AVERAGE_VECTOR)));
    best.push(await timedRecommend(backend, recommendRequest(collection, rep, vectorCount, RecommendStrategy.RECOMMEND_STRATEGY_BEST_SCORE)));
    search.push((await grpcSearch(backend, collection, queries[rep % queries.length]!)).ms);
  }
  const searchP50 = percentile(search, 0.5);
  return [
    ratioMeasure(
      {
        id: 'recommend.p50_vs_search',
        name: 'Recommend p50, 3 positives + 2 negatives, average vector (gRPC)',
        value: percentile(average, 0.5),
        unit: 'ms',
        baseline: searchP50,
        baselineName: 'Search p50 (gRPC)',
      },
      '<=',
      1.5,
    ),
    infoMeasure({
      id: 'recommend.best_score_p50',
      name: 'Recommend p50, 3 positives + 2 negatives, best score (gRPC)',
      value: percentile(best, 0.5),
      unit: 'ms',
      baseline: searchP50,
      baselineName: 'Search p50 (gRPC)',
      ratio: percentile(best, 0.5) / searchP50,
    }),
  ];
}
