// Validation of GetBestTimeToPost requests at the edge: plain data in, checked data out.
import { MAX_PLAN_AHEAD_MS, timeProblem } from '../../domain/time.js';
import { invalidArgument } from '../../errors.js';
import { requirePlatform, requireTimeZone, type PlatformField } from '../virality/virality.validate.js';
import type { BestTimeQuery } from './best-time.types.js';

export const DEFAULT_LOOKBACK_DAYS = 60;
export const MAX_LOOKBACK_DAYS = 365;

export interface BestTimeRequest {
  platform: PlatformField;
  timeZone: string;
  lookbackDays: number;
  metric: string | number;
  afterTime?: Date;
}

/** Checks a GetBestTimeToPost request; lookback 0 means 60 days, metric unspecified means views. */
export function validateBestTime(request: BestTimeRequest, now: Date): BestTimeQuery {
  const platform = requirePlatform(request.platform, 'platform');
  const timeZone = requireTimeZone(request.timeZone, 'time_zone');
  const lookbackDays = request.lookbackDays || DEFAULT_LOOKBACK_DAYS;
  if (!(Number.isInteger(lookbackDays) && lookbackDays >= 1 && lookbackDays <= MAX_LOOKBACK_DAYS)) {
    throw invalidArgument(`lookback_days ${request.lookbackDays} is outside 1..${MAX_LOOKBACK_DAYS} (0 means ${DEFAULT_LOOKBACK_DAYS})`, 'lookback_days');
  }
  const metric = request.metric === 0 ? 'views' : request.metric;
  if (metric !== 'views' && metric !== 'engagement_rate')
    throw invalidArgument(`metric ${request.metric} is not a known metric (VIEWS, ENGAGEMENT_RATE)`, 'metric');
  const after = request.afterTime ?? now;
  const afterProblem = timeProblem(after, new Date(now.getTime() + MAX_PLAN_AHEAD_MS), 'a year from now at most');
  if (afterProblem) throw invalidArgument(`after_time ${afterProblem}`, 'after_time');
  return { platform, timeZone, lookbackDays, metric, after };
}
