// Domain results of the learning side → messages of the contract.
import { Weekday, type Platform } from '../gen/stakazo/ml/v1/common.js';
import type { DailySnapshot, TopPerformer as TopPerformerMessage } from '../gen/stakazo/ml/v1/common.js';
import {
  KeyMomentKind,
  RecommendationKind,
  RunStatus,
  type Insight as InsightMessage,
  type LearningReport,
  type LearningRun,
  type LearningTrends,
  type Recommendation as RecommendationMessage,
  type GetBestTimeToPostResponse,
  type RetentionAnalysis,
  type RetentionCluster,
  type TimeSlot,
  type ViralityPrediction as ViralityPredictionMessage,
} from '../gen/stakazo/ml/v1/learning.js';
import { toEnum } from '../grpc/enums.js';
import { platformNumber } from '../domain/platform.js';
import type { RetentionClusterResult } from './retention/clustering.js';
import type { Insight } from './insights/insights.js';
import type { RunRow, SnapshotRow, TopPerformer } from './run/learning.types.js';
import type { Trends } from './run/run-history.js';
import type { Recommendation } from './advice/advice.types.js';
import type { TimeSlotEstimate } from './timing/timing-grid.js';
import type { BestTimeAnswer } from './best-time/best-time.service.js';
import type { ViralityAnswer } from './virality/virality-answer.js';
import type { DayReport, PostRetention } from './run/day-report.js';
import { experimentUpdateMessage } from '../experiment/experiment.mapper.js';

export const platformOf = (name: string | undefined): Platform => platformNumber(name ?? '');

const topPerformer = (t: TopPerformer): TopPerformerMessage => ({ ...t, platform: platformOf(t.platform) });

export function snapshotMessage(s: Omit<SnapshotRow, 'builtAt'> & { builtAt?: Date }): DailySnapshot {
  return {
    day: s.day,
    platform: platformOf(s.platform),
    postsCount: s.postsCount,
    views: s.views,
    averageRetention: s.averageRetention,
    completionRate: s.completionRate,
    engagementRate: s.engagementRate,
    savesRate: s.savesRate,
    sharesRate: s.sharesRate,
    first3sLoss: s.first3sLoss,
    topPerformers: s.topPerformers.map(topPerformer),
    buildTime: s.builtAt ? new Date(s.builtAt) : undefined,
  };
}

export function retentionMessage(r: PostRetention): RetentionAnalysis {
  return {
    ...r,
    platform: platformOf(r.platform),
    keyMoments: r.keyMoments.map((m) => ({ ...m, kind: toEnum(KeyMomentKind, 'KEY_MOMENT_KIND_', m.kind) })),
    observeTime: new Date(r.observedAt),
  };
}

export function clusterMessage(c: Omit<RetentionClusterResult, 'memberPostIds'>): RetentionCluster {
  return {
    clusterIndex: c.clusterIndex,
    label: c.label,
    centroidCurve: c.centroidCurve,
    size: c.size,
    meanViews: c.meanViews,
    meanCompletionRate: c.meanCompletionRate,
    meanFirst3sLoss: c.meanFirst3sLoss,
    examplePostIds: c.examplePostIds,
  };
}

function insightMessage(i: Insight): InsightMessage {
  return {
    feature: i.feature,
    bucket: i.bucket,
    outcome: i.outcome,
    bucketMean: i.bucketMean,
    restMean: i.restMean,
    liftFraction: i.liftFraction,
    effectSize: i.effectSize,
    sampleSize: i.sampleSize,
    restSampleSize: i.restSampleSize,
    confidence: i.confidence,
    smallSample: i.smallSample,
    text: i.text,
  };
}

function recommendationMessage(r: Recommendation): RecommendationMessage {
  return {
    kind: toEnum(RecommendationKind, 'RECOMMENDATION_KIND_', r.kind),
    platform: platformOf(r.platform),
    targetValue: r.targetValue,
    expectedLiftFraction: r.expectedLiftFraction,
    outcome: r.outcome,
    evidence: r.evidence ? insightMessage(r.evidence) : undefined,
    text: r.text,
    lever: r.lever ?? '',
    currentValue: r.currentValue ?? '',
    currentKey: r.currentKey ?? '',
    targetKey: r.targetKey ?? '',
    effects: r.effects ?? [],
    modelVersion: r.modelVersion ?? '',
    postsBehind: r.postsBehind ?? 0,
  };
}

export function reportMessage(r: DayReport): LearningReport {
  return {
    day: r.day,
    empty: r.empty,
    summary: r.summary,
    postsAnalysed: r.postsAnalysed,
    snapshots: r.snapshots.map(snapshotMessage),
    platforms: r.platforms.map((p) => ({ ...p, platform: platformOf(p.platform) })),
    clusters: r.clusters.map(clusterMessage),
    worstDropOffs: r.worstDropOffs.map(retentionMessage),
    bestPerformers: r.bestPerformers.map(topPerformer),
    insights: r.insights.map(insightMessage),
    recommendations: r.recommendations.map(recommendationMessage),
    experiments: (r.experiments ?? []).map(experimentUpdateMessage),
  };
}

export function runMessage(r: RunRow): LearningRun {
  return {
    day: r.day,
    status: toEnum(RunStatus, 'RUN_STATUS_', r.status),
    startTime: new Date(r.startedAt),
    endTime: r.finishedAt ? new Date(r.finishedAt) : undefined,
    steps: r.steps,
    rowsRead: r.rowsRead,
    latestObserveTime: r.latestObservedAt ? new Date(r.latestObservedAt) : undefined,
    modelVersions: r.modelVersions,
    errorMessage: r.errorMessage,
    attempt: r.attempt,
    trigger: r.trigger,
  };
}

export function trendsMessage(t: Trends): LearningTrends {
  return {
    points: t.points.map((p) => ({
      day: p.day,
      postsAnalysed: p.postsAnalysed,
      completionRate: p.completionRate,
      first3sLoss: p.first3sLoss,
      engagementRate: p.engagementRate,
    })),
    completionRateSlopePerDay: t.completionRateSlopePerDay,
    first3sLossSlopePerDay: t.first3sLossSlopePerDay,
    retentionImproving: t.retentionImproving,
  };
}

export function viralityMessage(a: ViralityAnswer): ViralityPredictionMessage {
  return {
    index: a.index,
    contentId: a.contentId,
    score: a.score,
    predictedViews: a.predictedViews,
    predictedEngagementRate: a.predictedEngagementRate,
    viewsP10: a.viewsP10,
    viewsP90: a.viewsP90,
    factors: a.factors.map((f) => ({ factor: f.factor, weight: f.weight, value: f.value, contributionPoints: f.contributionPoints })),
    platformRecommendations: a.platformRecommendations.map((r) => ({
      platform: platformOf(r.platform),
      predictedViews: r.predictedViews,
      score: r.score,
      text: r.text,
    })),
    boostRecommended: a.boostRecommended,
    modelVersion: a.modelVersion,
    coldStart: a.coldStart,
    baselineLogViews: a.baselineLogViews ?? 0,
    predictedLogViews: a.predictedLogViews,
    contributions: (a.contributions ?? []).map((c) => ({ feature: c.feature, logViews: c.logViews, label: c.label })),
    forecast: Boolean(a.forecast),
    observedAgeHours: a.forecast?.observedAgeHours ?? 0,
    horizonHours: a.forecast?.horizonHours ?? 0,
    suggestedChanges: a.suggestedChanges ?? [],
    modelTrainedThrough: a.modelTrainedThrough,
  };
}

// NOTE: the domain's weekdays are ISO (Monday = 1 … Sunday = 7), the same numbers as the proto's Weekday.
const timeSlotMessage = (c: TimeSlotEstimate): TimeSlot => ({
  weekday: c.weekday,
  hour: c.hour,
  mean: c.mean,
  sampleSize: c.sampleSize,
  shrunkEstimate: c.shrunkEstimate,
});

export function bestTimeMessage(a: BestTimeAnswer): GetBestTimeToPostResponse {
  return {
    cells: a.cells.map(timeSlotMessage),
    topHours: a.topHours,
    topWeekdays: a.topWeekdays,
    topSlots: a.topSlots.map(timeSlotMessage),
    confidence: a.confidence,
    sampleSize: a.sampleSize,
    platformMean: a.platformMean,
    nextBestSlotTime: a.nextBestSlotTime,
    source: a.source,
    hourEffects: a.hourEffects.map((e) => ({
      hour: e.slot,
      weekday: Weekday.WEEKDAY_UNSPECIFIED,
      effect: e.effect,
      effectP10: e.effectP10,
      effectP90: e.effectP90,
    })),
    weekdayEffects: a.weekdayEffects.map((e) => ({ hour: 0, weekday: e.slot, effect: e.effect, effectP10: e.effectP10, effectP90: e.effectP90 })),
  };
}
