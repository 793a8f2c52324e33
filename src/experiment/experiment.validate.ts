// Validation of ExperimentService requests: plain fields in, domain input out; INVALID_ARGUMENT names the field.
import { nulProblem } from '../domain/text.js';
import { addDays, dayCount, dayOf, parseDay } from '../domain/days.js';
import { PLATFORMS } from '../domain/platform.js';
import { invalidArgument } from '../errors.js';
import { EXPERIMENT_METRICS, type Assignment, type ExperimentDefinition, type ExperimentMetric } from './experiment.types.js';

/** Smallest relative effect an experiment may be sized for (0.1 %): smaller ones need samples no tenant has. */
export const MIN_DETECTABLE_EFFECT = 0.001;
/** Largest (1000 %). */
export const MAX_DETECTABLE_EFFECT = 10;

/** An enum field as the validators take it: its domain name, or the raw number when unspecified or unknown. */
export type EnumField = string | number;

/** A CreateExperiment request, enums already turned into names where known. */
export interface CreateExperimentInput {
  name: string;
  hypothesis: string;
  variants: string[];
  primaryMetric: EnumField;
  guardrailMetrics: EnumField[];
  platform: EnumField;
  minimumDetectableEffect: number;
  horizonHours: number;
  plannedEndDay: string;
  skipCovariateAdjustment: boolean;
}

const MAX_VARIANTS = 10;
const MAX_ASSIGNMENTS = 1000;
const MAX_PLANNED_DAYS = 366;
const METRIC_LIST = EXPERIMENT_METRICS.map((m) => m.toUpperCase()).join(', ');

function metricOf(value: EnumField, field: string): ExperimentMetric {
  if (typeof value === 'string' && (EXPERIMENT_METRICS as readonly string[]).includes(value)) return value as ExperimentMetric;
  if (value === 0 || value === '') throw invalidArgument(`${field} is required (${METRIC_LIST})`, field);
  throw invalidArgument(`${field} ${value} is not a known metric (${METRIC_LIST})`, field);
}

function text(value: string, field: string, max: number, required: boolean): string {
  const trimmed = (value ?? '').trim();
  if (required && !trimmed) throw invalidArgument(`${field} is empty`, field);
  if (trimmed.length > max) throw invalidArgument(`${field} has ${trimmed.length} characters; at most ${max}`, field);
  requireStorable(trimmed, field);
  return trimmed;
}

/** INVALID_ARGUMENT naming `field` when the text holds a NUL character, which Postgres cannot store. */
function requireStorable(value: string, field: string): void {
  const nul = nulProblem(value);
  if (nul) throw invalidArgument(`${field} ${nul}`, field);
}

/** Checks a CreateExperiment request against `now` (the planned end is today or later). */
export function validateCreateExperiment(input: CreateExperimentInput, now: Date): ExperimentDefinition {
  const name = text(input.name, 'name', 200, true);
  const hypothesis = text(input.hypothesis, 'hypothesis', 2000, false);
  if (input.variants.length < 2)
    throw invalidArgument(`variants has ${input.variants.length}; an experiment needs at least 2 (the first is the control)`, 'variants');
  if (input.variants.length > MAX_VARIANTS) throw invalidArgument(`variants has ${input.variants.length}; at most ${MAX_VARIANTS}`, 'variants');
  const variants = input.variants.map((v, i) => text(v, `variants[${i}]`, 100, true));
  const repeated = variants.findIndex((v, i) => variants.indexOf(v) !== i);
  if (repeated >= 0)
    throw invalidArgument(`variants[${repeated}] "${variants[repeated]}" repeats an earlier variant; names must be distinct`, `variants[${repeated}]`);
  const primaryMetric = metricOf(input.primaryMetric, 'primary_metric');
  const guardrailMetrics = input.guardrailMetrics.map((m, i) => metricOf(m, `guardrail_metrics[${i}]`));
  guardrailMetrics.forEach((m, i) => {
    if (m === primaryMetric) throw invalidArgument(`guardrail_metrics[${i}] is the primary metric`, `guardrail_metrics[${i}]`);
    if (guardrailMetrics.indexOf(m) !== i) throw invalidArgument(`guardrail_metrics[${i}] repeats ${m}`, `guardrail_metrics[${i}]`);
  });
  let platform: string | undefined;
  if (input.platform !== 0 && input.platform !== '') {
    if (typeof input.platform !== 'string' || !(PLATFORMS as readonly string[]).includes(input.platform))
      throw invalidArgument(`platform ${input.platform} is not a known platform (${PLATFORMS.map((p) => p.toUpperCase()).join(', ')})`, 'platform');
    platform = input.platform;
  }
  // NOTE: 0 means the default, but NaN (falsy too) is a mistake, not a default; below MIN_DETECTABLE_EFFECT the
  // mixing prior is so narrow that no interval ever excludes zero (1e-300 gave a result with no upper bound).
  const mde = input.minimumDetectableEffect === 0 ? 0.1 : input.minimumDetectableEffect;
  if (!Number.isFinite(mde) || mde < MIN_DETECTABLE_EFFECT || mde > MAX_DETECTABLE_EFFECT)
    throw invalidArgument(
      `minimum_detectable_effect ${input.minimumDetectableEffect} is outside [${MIN_DETECTABLE_EFFECT}, ${MAX_DETECTABLE_EFFECT}] (a fraction: 0.1 = 10 %; 0 means 0.1)`,
      'minimum_detectable_effect',
    );
  const horizonHours = input.horizonHours || 24;
  if (!Number.isInteger(horizonHours) || horizonHours > 720) throw invalidArgument(`horizon_hours ${input.horizonHours} is outside 1..720`, 'horizon_hours');
  const today = dayOf(now);
  const plannedEndDay = input.plannedEndDay ? parseDay(input.plannedEndDay, 'planned_end_day', now) : addDays(today, 30);
  if (plannedEndDay < today) throw invalidArgument(`planned_end_day ${plannedEndDay} is in the past (today is ${today} UTC)`, 'planned_end_day');
  if (dayCount(today, plannedEndDay) > MAX_PLANNED_DAYS)
    throw invalidArgument(`planned_end_day ${plannedEndDay} is more than ${MAX_PLANNED_DAYS} days ahead`, 'planned_end_day');
  return {
    name,
    hypothesis,
    variants,
    primaryMetric,
    guardrailMetrics,
    platform,
    minimumDetectableEffect: mde,
    horizonHours,
    plannedEndDay,
    covariateAdjustment: !input.skipCovariateAdjustment,
  };
}

/** A required experiment id. */
export function validateExperimentId(value: string): string {
  if (!value) throw invalidArgument('experiment_id is empty', 'experiment_id');
  if (value.length > 100) throw invalidArgument('experiment_id is longer than 100 characters', 'experiment_id');
  requireStorable(value, 'experiment_id');
  return value;
}

/** StopExperiment's reason: up to 500 characters, trimmed. */
export function validateStopReason(value: string): string {
  return text(value, 'reason', 500, false);
}

/** Checks AddPosts' assignments: 1..1000, ids and variants present, no post twice with different variants. */
export function validateAssignments(assignments: readonly { postId: string; variant: string }[]): Assignment[] {
  if (assignments.length === 0) throw invalidArgument('assignments is empty; send 1..1000 post ids with their variant', 'assignments');
  if (assignments.length > MAX_ASSIGNMENTS) throw invalidArgument(`assignments has ${assignments.length}; at most ${MAX_ASSIGNMENTS} per call`, 'assignments');
  const seen = new Map<string, { variant: string; index: number }>();
  const checked: Assignment[] = [];
  assignments.forEach((a, index) => {
    if (!a.postId) throw invalidArgument(`assignments[${index}].post_id is empty`, `assignments[${index}].post_id`);
    if (!a.variant) throw invalidArgument(`assignments[${index}].variant is empty`, `assignments[${index}].variant`);
    requireStorable(a.postId, `assignments[${index}].post_id`);
    requireStorable(a.variant, `assignments[${index}].variant`);
    const earlier = seen.get(a.postId);
    if (earlier && earlier.variant !== a.variant)
      throw invalidArgument(
        `assignments[${index}].post_id "${a.postId}" is also in variant "${earlier.variant}" at assignments[${earlier.index}]; a post belongs to one variant`,
        `assignments[${index}].post_id`,
      );
    if (earlier) return;
    seen.set(a.postId, { variant: a.variant, index });
    checked.push({ index, postId: a.postId, variant: a.variant });
  });
  return checked;
}
