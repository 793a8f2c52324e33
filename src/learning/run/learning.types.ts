// Plain domain types of the daily learning run: a day's input, daily snapshots and learning runs.
import type { DailySnapshot, TopPerformer } from '../../domain/snapshot.js';
import type { ContentFeatureValues } from '../virality/content-features.js';

/** One post observed during a day: its latest retention and engagement observation of that day. */
export interface DayPostRow extends ContentFeatureValues {
  postId: string;
  contentId: string;
  platform: string;
  publishedAt: Date;
  timeZone: string;
  views: number;
  averageViewDurationS: number;
  completionRate: number;
  rewatchRate: number;
  skipRateFirst3s: number;
  retentionCurve: number[] | null;
  likes: number;
  comments: number;
  shares: number;
  saves: number;
  observedAt: Date;
}

/** The posts of a day range, the rows read for them and the latest observation (the run's watermark). */
export interface DayInput {
  posts: DayPostRow[];
  rowsRead: number;
  latestObservedAt: Date | null;
}

/** A stored daily_snapshots row. Learning owns the table; read it via LearningService. */
export type SnapshotRow = DailySnapshot;
export type { TopPerformer };

/** How a claimed run ended: what finishRun stores. */
export interface RunOutcome {
  status: 'succeeded' | 'failed';
  steps: { step: string; durationMs: number }[];
  rowsRead: number;
  latestObservedAt: Date | null;
  modelVersions: Record<string, string>;
  errorMessage: string;
  report: unknown;
}

/** One learning_runs row: the run of (tenant, day). */
export interface RunRow extends Omit<RunOutcome, 'status'> {
  tenantId: string;
  day: string;
  status: 'running' | RunOutcome['status'];
  trigger: string;
  attempt: number;
  startedAt: Date;
  finishedAt: Date | null;
  /** The runner process that claimed the run (src/db/runner-liveness.ts); '' for runs recorded before owners. */
  owner?: string;
  /**
   * The day's last succeeded attempt while a newer attempt runs or after it failed: its report stays readable until
   * a new one commits.
   */
  previousSuccess?: RunRow | null;
}

/** A run found orphaned (its runner process is gone) and recorded as failed. */
export interface OrphanedRun {
  tenantId: string;
  day: string;
  owner: string;
}

/** One running experiment as the day's run left it (what the report shows). */
export interface ExperimentDayUpdate {
  experimentId: string;
  name: string;
  primaryMetric: string;
  /** continue, stop_winner, stop_no_effect or stop_guardrail. */
  decision: string;
  winnerVariant: string;
  reason: string;
  /** The treatments' effects on the primary metric (relative; null until estimable). */
  variants: {
    variant: string;
    n: number;
    effectRelative: number | null;
    effectRelativeLower: number | null;
    effectRelativeUpper: number | null;
    significant: boolean;
    probabilityBest: number;
  }[];
  /** Whether the decision stopped the experiment. */
  stopped: boolean;
}

/** The port through which the daily run updates experiments (implemented by the experiment area's service). */
export interface ExperimentUpdater {
  /** Looks at every running experiment with the outcomes known at the end of `day`; stores and returns the decisions. */
  updateRunning(tenantId: string, day: string, signal?: AbortSignal): Promise<ExperimentDayUpdate[]>;
}
