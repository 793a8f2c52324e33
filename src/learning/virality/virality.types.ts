// Plain domain types of virality: stored rows the repository returns and checked requests.
import type { ContentFeatureValues } from './content-features.js';
import type { ViralityModel } from './virality-model.js';

/** A checked item: either a content id or full features, a platform, a planned instant and a time zone. */
export interface ViralityItem {
  index: number;
  /** A live post to forecast (content, platform and publish time are then the post's). */
  postId?: string;
  /** With postId: hours after publication to forecast views at. */
  horizonHours?: number;
  contentId?: string;
  features?: ContentFeatureValues;
  platform: string;
  plannedAt: Date;
  timeZone: string;
}

/** One published post with its outcome as known before `observedBefore` (a training or hold-out row). */
export interface TrainingRow extends ContentFeatureValues {
  postId: string;
  platform: string;
  publishedAt: Date;
  timeZone: string;
  /** Views at the latest observation. */
  views: number;
  /** Likes + comments + shares + saves at the latest engagement observation; null without one. */
  interactions: number | null;
  /** Share lost in the first 3 s at the earliest retention observation (the early signal). */
  first3sLoss: number | null;
}

/** A content item's stored features and, per platform, the early-retention signal of its post there. */
export interface ContentRow extends ContentFeatureValues {
  contentId: string;
  /** Platform → share lost in the first 3 s at the earliest observation of the content's post there. */
  first3sLossByPlatform: Record<string, number> | null;
}

/** What the cold-start formula knows about a tenant: views quantiles and engagement rate per platform. */
export interface TenantOutcomes {
  posts: number;
  viewsP10: number;
  viewsMedian: number;
  viewsP90: number;
  engagementRateByPlatform: Record<string, number>;
}

/** One stored version of a learned model. */
export interface ModelRow {
  version: string;
  trainedOnDay: string;
  params: unknown;
  evaluation: unknown;
  promoted: boolean;
}

/** A registered post and its latest views observation (null before the first one). */
export interface LivePostRow {
  postId: string;
  contentId: string;
  platform: string;
  publishedAt: Date;
  timeZone: string;
  observedAt: Date | null;
  views: number | null;
  /** Every views observation of the post, oldest first: times (epoch ms) and views. */
  curveObservedMs: number[];
  curveViews: number[];
  /** The post's content (read in the same statement); null when it is not registered. */
  content: ContentRow | null;
}

/** One sharing tenant's contribution to the shared prior (its own model's coefficients and their variances). */
export interface ContributionRow {
  columns: string[];
  coefficients: number[];
  coefficientVariances: number[];
  residualVariance: number;
}

/** One change to a planned item and what the model expects of it (mirrors the proto's SuggestedChange). */
export interface SuggestedChange {
  lever: string;
  currentKey: string;
  targetKey: string;
  /** Expected relative change of the predicted views, with its 80 % interval. */
  viewsLiftFraction: number;
  viewsLiftFractionP10: number;
  viewsLiftFractionP90: number;
  /** Predicted views with the change applied. */
  predictedViews: number;
  text: string;
}

/** How a tenant's content is scored right now: its promoted model, or the cold-start formula over its outcomes. */
export type TenantPredictor = { kind: 'learned'; version: string; model: ViralityModel } | { kind: 'formula'; version: 'formula'; outcomes: TenantOutcomes };
