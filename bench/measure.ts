// One line of the result: a measured value next to its same-run baseline, the ratio, the target and the verdict.

export interface Measure {
  /** Stable identifier, e.g. `search.recall_default_ef`. */
  id: string;
  /** What was measured, for the table. */
  name: string;
  value: number;
  unit: string;
  /** The baseline measured in the same run on the same data, when the target is a ratio. */
  baseline?: number;
  baselineName?: string;
  /** value / baseline (for throughputs and latencies as measured; see `target`). */
  ratio?: number;
  /** The target in words, e.g. `ratio ≤ 0.05`. */
  target: string;
  /** Whether the target is met; null when the measure is informative only. */
  pass: boolean | null;
  note?: string;
}

type Comparison = '<=' | '>=';

const meets = (x: number, op: Comparison, limit: number) => (op === '<=' ? x <= limit : x >= limit);

/** A measure whose target is on value / baseline. */
export function ratioMeasure(
  fields: Omit<Measure, 'ratio' | 'pass' | 'target' | 'baseline'> & { baseline: number },
  op: Comparison,
  limit: number,
  extra?: { op: Comparison; limit: number; label: string },
): Measure {
  const ratio = fields.value / fields.baseline;
  let pass = Number.isFinite(ratio) && meets(ratio, op, limit);
  let target = `ratio ${op === '<=' ? '≤' : '≥'} ${limit}`;
  if (extra) {
    pass = pass && meets(fields.value, extra.op, extra.limit);
    target += ` and ${extra.label}`;
  }
  return { ...fields, ratio, target, pass };
}

/** A measure whose target is on the value itself. */
export function valueMeasure(fields: Omit<Measure, 'pass' | 'target'>, op: Comparison, limit: number, label?: string): Measure {
  return {
    ...fields,
    target: label ?? `${op === '<=' ? '≤' : '≥'} ${limit} ${fields.unit}`,
    pass: Number.isFinite(fields.value) && meets(fields.value, op, limit),
  };
}

/** An informative measure with no target. */
export function infoMeasure(fields: Omit<Measure, 'pass' | 'target'>): Measure {
  return { ...fields, target: '—', pass: null };
}

/** Every measure id a run produces per back-end (the smoke test checks they are all present). */
export const MEASURE_IDS = [
  'vector_ingest.points_per_s',
  'vector_ingest.no_index_copy_rows_per_s',
  'search.recall_default_ef',
  'search.recall_ef40',
  'search.hnsw_p50_vs_exact',
  'search.grpc_p50_vs_sql',
  'search.grpc_p99_vs_sql',
  'search.added_vs_echo',
  'search.connect_floor_p50',
  'search.http2_floor_p50',
  'search.tcp_floor_p50',
  'search.zero_cost_server_ratio',
  'halfvec.index_size',
  'halfvec.recall_loss',
  'filtered.full_k_fraction',
  'filtered.p50_vs_unfiltered',
  'bulk_ingest.until_ready_points_per_s',
  'bulk_ingest.search_p50_during_build',
  'bulk_ingest.recall_during_build',
  'recommend.p50_vs_search',
  'recommend.best_score_p50',
  'cross_modal.recall_vs_exact_fusion',
  'cross_modal.recall_vs_best_single',
  'cross_modal.single_recalls',
  'cross_modal.p50_vs_three_searches',
  'fusion.rescore_p50_vs_rrf',
  'fusion.rescore_recall_vs_full',
  'fusion.rescore_top10_overlap_full',
  'fusion.other_recalls',
  'concurrency.two_clients_qps',
  'metric_ingest.records_per_s',
  'metric_write.unary_p50',
  'learning.daily_run',
  'virality.predict_p50',
  'virality.live_post_p50',
  'virality.batch_p50',
] as const;
