// Advice in plain words: what to change, what the model expects and how sure it is (no statistics jargon).
import { platformLabel } from '../virality/virality-explanation.js';
import type { OutcomeEffect } from './advice.types.js';
import type { LeverName, LeverValue } from './levers.js';
import type { OutcomeName } from './outcome-models.js';

const OUTCOME_WORDS: Record<OutcomeName, string> = {
  views: 'views',
  completion_rate: 'completion',
  first_3s_loss: 'viewers lost in the first 3 s',
  engagement_rate: 'engagement',
};

/** "+38 %" / "−6 %". */
export const signedPercent = (fraction: number) => {
  const rounded = Math.round(fraction * 100);
  return `${rounded < 0 ? '−' : '+'}${Math.abs(rounded)} %`;
};

/** "+38 % views (+20 % to +58 %)". */
export function effectText(effect: Pick<OutcomeEffect, 'outcome' | 'liftFraction' | 'liftFractionP10' | 'liftFractionP90'>): string {
  const outcome = OUTCOME_WORDS[effect.outcome as OutcomeName] ?? effect.outcome;
  return `${signedPercent(effect.liftFraction)} ${outcome} (${signedPercent(effect.liftFractionP10)} to ${signedPercent(effect.liftFractionP90)})`;
}

/** What to do, as the first half of the sentence. */
function action(lever: LeverName, current: LeverValue, target: LeverValue): string {
  switch (lever) {
    case 'duration':
      return `Make videos of ${target.label} instead of ${current.label}`;
    case 'cta_in_first_5s':
      return `${target.key === 'true' ? 'Put a call to action in the first 5 s of every post' : 'Keep the first 5 s free of a call to action'} (now in ${current.label.replace(/^a call to action in /, '')})`;
    case 'caption_length':
      return `Write captions of ${target.label} instead of ${current.label}`;
    case 'hashtag_count':
      return `Use ${target.label} instead of ${current.label}`;
    case 'quality_score':
      return `Raise production quality to a score of ${target.label} (now ${current.label})`;
    case 'aesthetic_score':
      return `Aim for an aesthetic score of ${target.label} (now ${current.label})`;
    case 'hook':
      return `Open with the payoff: aim to lose ${Math.round(Number(target.key) * 100)} % of viewers in the first 3 s instead of ${Math.round(Number(current.key) * 100)} %`;
    case 'posting_hour':
      return current.key === 'mix'
        ? `Post between ${target.label} rather than at ${current.label}`
        : `Post between ${target.label} instead of ${current.label}`;
    case 'posting_weekday':
      return current.key === 'mix' ? `Post on ${target.label} rather than on ${current.label}` : `Post on ${target.label} instead of ${current.label}`;
    case 'platform':
      return `Put more effort into ${target.label} than ${current.label}: the same post is expected to do better there`;
  }
}

/**
 * "On TikTok, make videos of about 25 s instead of about 60 s: +38 % views (+20 % to +58 %); completion −6 %." The
 * interval is the 80 % one; another outcome is named when the model tells its change from noise (a trade-off).
 */
export function adviceText(lever: LeverName, platform: string | undefined, current: LeverValue, target: LeverValue, effects: readonly OutcomeEffect[]): string {
  const what = action(lever, current, target);
  const head = platform && lever !== 'platform' ? `On ${platformLabel(platform)}, ${what[0].toLowerCase()}${what.slice(1)}` : what;
  const others = effects
    .slice(1)
    .filter((e) => e.distinguishable && Math.abs(e.liftFraction) >= 0.01)
    .map((e) => `${OUTCOME_WORDS[e.outcome]} ${signedPercent(e.liftFraction)}`);
  return `${head}: ${effectText(effects[0])}${others.length ? `; ${others.join(', ')}` : ''}.`;
}
