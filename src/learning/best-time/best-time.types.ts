// Plain domain types of GetBestTimeToPost: the checked request.
import type { TimingMetricName } from '../timing/timing.types.js';

/** A checked GetBestTimeToPost request. */
export interface BestTimeQuery {
  platform: string;
  timeZone: string;
  lookbackDays: number;
  metric: TimingMetricName;
  /** The next best slot is searched after this instant. */
  after: Date;
}
