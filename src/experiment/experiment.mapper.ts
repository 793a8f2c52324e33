// Domain results of experiments → messages of the contract (also the experiment lines of the learning report).
import {
  ExperimentDecision,
  ExperimentMetric,
  ExperimentStatus,
  type Experiment as ExperimentMessage,
  type ExperimentUpdate,
  type GetExperimentResultResponse,
  type MetricResult,
  type VariantResult,
} from '../gen/stakazo/ml/v1/experiment.js';
import { platformNumber } from '../domain/platform.js';
import { toEnum } from '../grpc/enums.js';
import type { ExperimentDayUpdate } from '../learning/run/learning.types.js';
import type { Experiment, ExperimentDayResult, ExperimentResult, MetricAnalysis, VariantEstimate } from './experiment.types.js';

const orZero = (value: number | null | undefined) => value ?? 0;
export const metricEnum = (name: string) => toEnum(ExperimentMetric, 'EXPERIMENT_METRIC_', name);
const decisionEnum = (name: string | null) => toEnum(ExperimentDecision, 'EXPERIMENT_DECISION_', name ?? undefined);

export function experimentMessage(e: Experiment): ExperimentMessage {
  return {
    experimentId: e.experimentId,
    name: e.name,
    hypothesis: e.hypothesis,
    variants: e.variants,
    primaryMetric: metricEnum(e.primaryMetric),
    guardrailMetrics: e.guardrailMetrics.map(metricEnum),
    platform: platformNumber(e.platform ?? ''),
    minimumDetectableEffect: e.minimumDetectableEffect,
    horizonHours: e.horizonHours,
    plannedEndDay: e.plannedEndDay,
    covariateAdjustment: e.covariateAdjustment,
    status: toEnum(ExperimentStatus, 'EXPERIMENT_STATUS_', e.status),
    decision: decisionEnum(e.decision),
    decisionReason: e.decisionReason,
    winnerVariant: e.winnerVariant,
    createTime: new Date(e.createdAt),
    stopTime: e.stoppedAt ? new Date(e.stoppedAt) : undefined,
    postCounts: e.postCounts,
  };
}

type VariantLine = Pick<VariantEstimate, 'variant' | 'n' | 'effectRelative' | 'effectRelativeLower' | 'effectRelativeUpper' | 'probabilityBest'> &
  Partial<Pick<VariantEstimate, 'mean' | 'adjustedMean'>> & { significant: boolean };

function variantMessage(v: VariantLine): VariantResult {
  return {
    variant: v.variant,
    postsCount: v.n,
    mean: orZero(v.mean),
    adjustedMean: orZero(v.adjustedMean),
    effectRelative: orZero(v.effectRelative),
    effectRelativeLower: orZero(v.effectRelativeLower),
    effectRelativeUpper: orZero(v.effectRelativeUpper),
    significant: v.significant,
    probabilityBest: v.probabilityBest,
    effectEstimated: v.effectRelative !== null && v.effectRelativeLower !== null && v.effectRelativeUpper !== null,
  };
}

const estimateLine = (v: VariantEstimate): VariantLine => ({ ...v, significant: v.significance !== 'none' });

function metricMessage(m: MetricAnalysis): MetricResult {
  return {
    metric: metricEnum(m.metric),
    variants: m.variants.map((v) => variantMessage(estimateLine(v))),
    covariateAdjusted: m.adjusted,
    varianceReduction: m.varianceReduction,
  };
}

export function resultMessage(experiment: Experiment, result: ExperimentResult, history: readonly ExperimentDayResult[]): GetExperimentResultResponse {
  return {
    experiment: experimentMessage(experiment),
    asOfTime: new Date(result.asOf),
    primary: metricMessage(result.primary),
    guardrails: result.guardrails.map(metricMessage),
    decision: decisionEnum(result.decision),
    winnerVariant: result.winnerVariant,
    reason: result.reason,
    history: history.map((h) => ({
      day: h.day,
      decision: decisionEnum(h.result.decision),
      variants: h.result.primary.variants.slice(1).map((v) => variantMessage(estimateLine(v))),
    })),
  };
}

/** One line of the learning report. */
export function experimentUpdateMessage(u: ExperimentDayUpdate): ExperimentUpdate {
  return {
    experimentId: u.experimentId,
    name: u.name,
    primaryMetric: metricEnum(u.primaryMetric),
    decision: decisionEnum(u.decision),
    winnerVariant: u.winnerVariant,
    reason: u.reason,
    variants: u.variants.map(variantMessage),
    stopped: u.stopped,
  };
}
