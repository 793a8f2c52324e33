// Plain domain types of the weekday × hour timing grids: what they rank slots by and the rows they are built from.

/** What a timing grid ranks slots by. */
export type TimingMetricName = 'views' | 'engagement_rate';

/** One post of a platform and its latest outcome, for the best-time grid. */
export interface TimedRow {
  publishedAt: Date;
  views: number;
  interactions: number | null;
}

/** A post and its views observations, oldest first (see ViralityRepository.viewsObservations). */
export interface PostViewsRow {
  platform: string;
  postId: string;
  publishedAt: Date;
  /** Observation times, epoch milliseconds. */
  observedMs: number[];
  views: number[];
}
