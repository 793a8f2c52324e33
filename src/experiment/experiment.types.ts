// Plain domain types of experiments: definitions, assignments of posts to variants, results and decisions.

/** The outcomes an experiment can compare (one primary, any guardrails). */
export const EXPERIMENT_METRICS = ['views', 'completion_rate', 'engagement_rate', 'first_3s_loss'] as const;
export type ExperimentMetric = (typeof EXPERIMENT_METRICS)[number];

/** How a metric is analysed: views on ln(1 + views) (effects are relative), rates as they are. */
export interface MetricSpec {
  metric: ExperimentMetric;
  higherIsBetter: boolean;
  logScale: boolean;
}

export const METRIC_SPECS: Record<ExperimentMetric, MetricSpec> = {
  views: { metric: 'views', higherIsBetter: true, logScale: true },
  completion_rate: { metric: 'completion_rate', higherIsBetter: true, logScale: false },
  engagement_rate: { metric: 'engagement_rate', higherIsBetter: true, logScale: false },
  first_3s_loss: { metric: 'first_3s_loss', higherIsBetter: false, logScale: false },
};

export type ExperimentStatus = 'running' | 'stopped';
export type Decision = 'continue' | 'stop_winner' | 'stop_no_effect' | 'stop_guardrail';

/** A checked CreateExperiment request. */
export interface ExperimentDefinition {
  name: string;
  hypothesis: string;
  /** Variant names; the first is the control. */
  variants: string[];
  primaryMetric: ExperimentMetric;
  guardrailMetrics: ExperimentMetric[];
  /** Only posts on this platform may join; undefined: any platform. */
  platform?: string;
  /** Smallest relative effect worth detecting (0.1 = 10 %); sets the test's mixing scale and the no-effect rule. */
  minimumDetectableEffect: number;
  /** Outcomes are read at this many hours after publishing. */
  horizonHours: number;
  /** After this day (YYYY-MM-DD, UTC) an experiment without a winner stops with no effect. */
  plannedEndDay: string;
  /** False to compare raw outcomes (when the variants change what the model sees, e.g. caption length). */
  covariateAdjustment: boolean;
}

/** A stored experiment. */
export interface Experiment extends ExperimentDefinition {
  experimentId: string;
  status: ExperimentStatus;
  /** The latest decision; null before the first look. */
  decision: Decision | null;
  decisionReason: string;
  winnerVariant: string;
  createdAt: Date;
  stoppedAt: Date | null;
  /** Posts per variant, in variant order. */
  postCounts: number[];
}

/** One post of an experiment with what the analysis needs; outcome fields are null before the horizon. */
export interface ExperimentPostOutcome {
  postId: string;
  variant: string;
  contentId: string;
  platform: string;
  publishedAt: Date;
  timeZone: string;
  views: number | null;
  completionRate: number | null;
  engagementRate: number | null;
  first3sLoss: number | null;
}

/** One variant in one metric's analysis. Effects are relative to the control (0.2 = +20 %); null until estimable. */
export interface VariantEstimate {
  variant: string;
  /** Posts with an outcome. */
  n: number;
  /** Mean in metric units (views: geometric mean). */
  mean: number | null;
  /** Mean adjusted for the prediction covariate, in metric units. */
  adjustedMean: number | null;
  effectRelative: number | null;
  effectRelativeLower: number | null;
  effectRelativeUpper: number | null;
  /** Whether the always-valid interval excludes no effect, and in which direction (control: 'none'). */
  significance: 'better' | 'worse' | 'none';
  probabilityBest: number;
}

/** One metric's analysis. */
export interface MetricAnalysis {
  metric: ExperimentMetric;
  variants: VariantEstimate[];
  /** Whether the covariate adjustment was applied. */
  adjusted: boolean;
  /** Share of the outcome variance removed by the adjustment (0 without it). */
  varianceReduction: number;
}

/** The decision at one look, with the reason in one sentence. */
export interface DecisionOutcome {
  decision: Decision;
  winnerVariant: string;
  reason: string;
}

/** The result of an experiment as of an instant. */
export interface ExperimentResult extends DecisionOutcome {
  experimentId: string;
  asOf: Date;
  primary: MetricAnalysis;
  guardrails: MetricAnalysis[];
}

/** One day's stored result (the history the report charts). */
export interface ExperimentDayResult {
  day: string;
  result: ExperimentResult;
}

/** A post's pre-publication prediction, the covariate: ln(1 + predicted views). Port implemented by virality. */
export interface OutcomePredictor {
  predictLogViews(
    tenantId: string,
    posts: readonly { postId: string; contentId: string; platform: string; publishedAt: Date; timeZone: string }[],
  ): Promise<Map<string, number>>;
}

/** A checked assignment; `index` is its position in the request (for messages naming the field). */
export interface Assignment {
  index: number;
  postId: string;
  variant: string;
}

/** A post's assignment in another running experiment (AddPosts tells the caller). */
export interface OtherAssignment {
  postId: string;
  experimentId: string;
  variant: string;
}
