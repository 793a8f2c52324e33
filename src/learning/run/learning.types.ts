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
}
