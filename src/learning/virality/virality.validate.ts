// Validation of PredictVirality requests at the edge: plain data in, checked data out.
// Enums arrive as lower-case names (undefined for unspecified or unknown values); the caller says which.
import { nulProblem } from '../../domain/text.js';
import { MAX_PLAN_AHEAD_MS, timeProblem } from '../../domain/time.js';
import { invalidArgument } from '../../errors.js';
import type { ContentFeatureValues } from './content-features.js';
import { isValidTimeZone } from '../../domain/time-zone.js';
import type { ViralityItem } from './virality.types.js';
import { PLATFORMS } from '../../domain/platform.js';
import { DEFAULT_HORIZON_HOURS, MAX_HORIZON_HOURS } from './forecast.js';

export const MAX_PREDICTION_ITEMS = 1000;
/** Longest video accepted in a features-only item: 24 hours. */
const MAX_DURATION_S = 86_400;

/** A platform field as the gRPC layer decodes it: the name, or the raw number when it is not a known platform. */
export type PlatformField = string | number;

/** One ViralityInput as received (the generated type fits it). */
export interface ViralityItemRequest {
  contentId: string;
  features?: Omit<ContentFeatureValues, 'durationS'>;
  durationS: number;
  platform: PlatformField;
  plannedPublishTime?: Date;
  timeZone: string;
  postId?: string;
  horizonHours?: number;
}

/** A required platform: INVALID_ARGUMENT naming the field for unspecified (0) or an unknown value. */
export function requirePlatform(value: PlatformField, field: string): string {
  if (typeof value === 'string' && (PLATFORMS as readonly string[]).includes(value)) return value;
  const known = PLATFORMS.map((p) => p.toUpperCase()).join(', ');
  if (value === 0 || value === '') throw invalidArgument(`${field} is required (${known})`, field);
  throw invalidArgument(`${field} ${value} is not a known platform (${known})`, field);
}

/** An IANA zone; empty means UTC. */
export function requireTimeZone(value: string, field: string): string {
  const zone = value || 'UTC';
  if (!isValidTimeZone(zone)) throw invalidArgument(`${field} "${value}" is not an IANA time zone (e.g. "Europe/Madrid", "America/New_York")`, field);
  return zone;
}

function checkId(value: string, field: string): void {
  if (value.length > 256) throw invalidArgument(`${field} is longer than 256 characters`, field);
  const nul = nulProblem(value);
  if (nul) throw invalidArgument(`${field} ${nul}`, field);
}

/** A live-post item: the post id and the horizon (0: 7 days); content, platform and publish time come from the post. */
function livePostItem(item: ViralityItemRequest, index: number): ViralityItem {
  const at = `items[${index}]`;
  checkId(item.postId!, `${at}.post_id`);
  const horizon = item.horizonHours || DEFAULT_HORIZON_HOURS;
  if (!(horizon > 0 && horizon <= MAX_HORIZON_HOURS)) {
    throw invalidArgument(
      `${at}.horizon_hours is ${item.horizonHours}; send hours after publication within (0, ${MAX_HORIZON_HOURS}] (0 means ${DEFAULT_HORIZON_HOURS})`,
      `${at}.horizon_hours`,
    );
  }
  const timeZone = item.timeZone ? requireTimeZone(item.timeZone, `${at}.time_zone`) : '';
  return { index, postId: item.postId, horizonHours: horizon, platform: '', plannedAt: new Date(0), timeZone };
}

function checkUnit(value: number, field: string): void {
  if (!(value >= 0 && value <= 1)) throw invalidArgument(`${field} is ${value}; it must be within 0..1`, field);
}

/** Checks a PredictVirality batch: 1..1000 items, each with a content id or features and a positive duration. */
export function validatePredictVirality(items: readonly ViralityItemRequest[], now: Date): ViralityItem[] {
  if (items.length === 0) throw invalidArgument('items is empty; send 1..1000 items to score', 'items');
  if (items.length > MAX_PREDICTION_ITEMS) throw invalidArgument(`items has ${items.length} entries; at most ${MAX_PREDICTION_ITEMS} per call`, 'items');
  return items.map((item, index) => {
    const at = `items[${index}]`;
    if (item.postId) return livePostItem(item, index);
    if (item.horizonHours) throw invalidArgument(`${at}.horizon_hours is set without post_id; send the live post's post_id`, `${at}.horizon_hours`);
    const platform = requirePlatform(item.platform, `${at}.platform`);
    const timeZone = requireTimeZone(item.timeZone, `${at}.time_zone`);
    const plannedAt = item.plannedPublishTime ?? now;
    const plannedProblem = timeProblem(plannedAt, new Date(now.getTime() + MAX_PLAN_AHEAD_MS), 'a year from now at most');
    if (plannedProblem) throw invalidArgument(`${at}.planned_publish_time ${plannedProblem}`, `${at}.planned_publish_time`);
    if (item.contentId) {
      checkId(item.contentId, `${at}.content_id`);
      return { index, contentId: item.contentId, platform, plannedAt, timeZone };
    }
    if (!item.features) throw invalidArgument(`${at} has neither content_id nor features; give one (features with duration_s)`, `${at}.features`);
    if (!(item.durationS > 0 && item.durationS <= MAX_DURATION_S)) {
      throw invalidArgument(
        `${at}.duration_s is ${item.durationS}; it must be within (0, ${MAX_DURATION_S}] seconds when content_id is empty`,
        `${at}.duration_s`,
      );
    }
    checkUnit(item.features.qualityScore, `${at}.features.quality_score`);
    checkUnit(item.features.aestheticScore, `${at}.features.aesthetic_score`);
    return { index, features: { ...item.features, durationS: item.durationS }, platform, plannedAt, timeZone };
  });
}
