// Validation of the advice settings of SetLearningSettings.
import { invalidArgument } from '../../errors.js';
import { OUTCOMES } from './outcome-models.js';

/** The advice settings a request changes, or undefined when it changes none; INVALID_ARGUMENT naming a bad field. */
export function validateAdviceSettings(request: {
  adviceMinLiftFraction?: number;
  advicePrimaryOutcome?: string;
}): { minLiftFraction?: number; primaryOutcome?: string } | undefined {
  const { adviceMinLiftFraction: minLiftFraction, advicePrimaryOutcome: primaryOutcome } = request;
  if (minLiftFraction === undefined && primaryOutcome === undefined) return undefined;
  if (minLiftFraction !== undefined && !(minLiftFraction >= 0 && minLiftFraction <= 10))
    throw invalidArgument(`advice_min_lift_fraction ${minLiftFraction} is outside 0..10 (0.1 means 10 %)`, 'advice_min_lift_fraction');
  if (primaryOutcome !== undefined && !(OUTCOMES as readonly string[]).includes(primaryOutcome))
    throw invalidArgument(`advice_primary_outcome "${primaryOutcome}" is not one of ${OUTCOMES.join(', ')}`, 'advice_primary_outcome');
  return { ...(minLiftFraction !== undefined ? { minLiftFraction } : {}), ...(primaryOutcome !== undefined ? { primaryOutcome } : {}) };
}
