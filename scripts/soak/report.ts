// Shapes exchanged between the soak parent and its workers, and the numbers the soak reports.

/** Names the workers call: created by the parent before the workers start. */
export interface SoakWorld {
  collection: string;
  dimension: number;
  contentId: string;
  postIds: string[];
}

/** What one worker sends back: latencies of successful calls per RPC, and every failure. */
export interface WorkerReport {
  latenciesMs: Record<string, number[]>;
  failures: Array<{ rpc: string; code: number; details: string }>;
}

/** The value at quantile `q` (0..1) of sorted `values` (nearest rank). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Per RPC: call count, p50 and p99 in ms. */
export function latencyTable(reports: WorkerReport[]): Array<{ rpc: string; calls: number; p50Ms: number; p99Ms: number }> {
  const all = new Map<string, number[]>();
  for (const r of reports) for (const [rpc, values] of Object.entries(r.latenciesMs)) all.set(rpc, [...(all.get(rpc) ?? []), ...values]);
  return [...all.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rpc, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return { rpc, calls: sorted.length, p50Ms: +quantile(sorted, 0.5).toFixed(1), p99Ms: +quantile(sorted, 0.99).toFixed(1) };
    });
}

/** Mean of the first and the last third of the samples, and the growth between them. */
export function memoryTrend(samples: number[]): { firstThirdMb: number; lastThirdMb: number; growthMb: number } {
  const third = Math.max(1, Math.floor(samples.length / 3));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const mb = (bytes: number) => +(bytes / 1024 / 1024).toFixed(1);
  const first = mean(samples.slice(0, third));
  const last = mean(samples.slice(-third));
  return { firstThirdMb: mb(first), lastThirdMb: mb(last), growthMb: mb(last - first) };
}
