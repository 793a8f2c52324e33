// The report page's advice: what to change, in plain words, with the expected lift and how sure the model is; the
// numbers behind it (per outcome, the model version) behind a statistics toggle.
import type { OutcomeEffect, Recommendation } from '../learning/advice/advice.types.js';
import { brandName, escapeHtml, formatCount, formatSignedPercent } from './wording.js';

const OUTCOMES: Record<string, string> = {
  views: 'views',
  completion_rate: 'completion',
  first_3s_loss: 'viewers lost in the first 3 s',
  engagement_rate: 'engagement',
};

/** How sure, in words: from the 80 % range of the expected lift of the primary outcome. */
function sureness(effect: OutcomeEffect, improvementIsUp: boolean): string {
  const low = improvementIsUp ? effect.liftFractionP10 : -effect.liftFractionP90;
  const expected = improvementIsUp ? effect.liftFraction : -effect.liftFraction;
  const range = `most likely between ${formatSignedPercent(effect.liftFractionP10)} and ${formatSignedPercent(effect.liftFractionP90)}`;
  return low >= expected / 2 ? `Fairly sure: ${range}.` : `Less sure: ${range}.`;
}

function statistics(rec: Recommendation): string {
  const rows = (rec.effects ?? [])
    .map(
      (e) =>
        `<tr><td>${escapeHtml(OUTCOMES[e.outcome] ?? e.outcome)}</td><td>${escapeHtml(formatSignedPercent(e.liftFraction))}</td><td>${escapeHtml(
          `${formatSignedPercent(e.liftFractionP10)} to ${formatSignedPercent(e.liftFractionP90)}`,
        )}</td><td>${e.distinguishable ? '<span class="yes">yes</span>' : 'no'}</td></tr>`,
    )
    .join('');
  return `<details><summary>Statistics</summary>Conditional effect of the change in the outcome models (ridge regressions on
    ln(1 + views) and on the rates, all other features held at the typical post), fitted on ${escapeHtml(formatCount(rec.postsBehind ?? 0))} posts,
    model ${escapeHtml(rec.modelVersion ?? '')}; advised because its 90 % interval, simultaneous over every lever and platform looked at (Holm),
    excludes zero.<table><thead><tr><th>outcome</th><th>expected</th><th>80 % interval</th><th>90 % excludes 0</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}

/** One advice: the sentence, where it applies, how sure; the statistics behind a toggle. */
function adviceItem(rec: Recommendation): string {
  const where = rec.platform ? brandName(rec.platform) : 'all platforms';
  const primary = rec.effects?.[0];
  if (!primary) return `<li><b>${escapeHtml(rec.text)}</b> <span class="note">(${escapeHtml(where)})</span></li>`;
  const sure = sureness(primary, rec.outcome !== 'first_3s_loss');
  return `<li><b>${escapeHtml(rec.text)}</b><br><span class="note">${escapeHtml(where)} · ${escapeHtml(sure)} From ${escapeHtml(formatCount(rec.postsBehind ?? 0))} posts.</span>${statistics(rec)}</li>`;
}

/** The advice section: first on the page. */
export function adviceSection(recommendations: readonly Recommendation[]): string {
  const body = recommendations.length
    ? `<ul class="advice">${recommendations.map(adviceItem).join('\n')}</ul>`
    : '<p class="empty">No change is backed strongly enough by the models yet: keep posting, and advice appears once the data can tell an effect from noise.</p>';
  return `<section id="recommendations"><h2>What to change</h2>
  <p class="note">What the learned models expect from each change, compared with what you usually post; the range is where the result will most likely fall.</p>${body}</section>`;
}
