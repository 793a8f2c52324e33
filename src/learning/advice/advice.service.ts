// The learning run's advice step: fits the outcome models on the rolling window and derives the day's advice.
import { createHash } from 'node:crypto';
import type { Logger } from '../../log.js';
import { DAY_MS, dayBounds } from '../../domain/days.js';
import { trainingExamples } from '../virality/virality-training.service.js';
import { advise, type AdviceOptions } from './advice.js';
import type { Adviser, Recommendation } from './advice.types.js';
import type { AdviceRepository } from './advice.repository.js';
import { fitOutcomeModels, type OutcomeExample, type OutcomeName } from './outcome-models.js';

export interface AdviceServiceOptions extends Omit<AdviceOptions, 'modelVersion'> {
  /** Days of posts the models are fitted on, ending with the day learned (the virality model's window). Default 180. */
  trainingWindowDays?: number;
  /** Fewer posts in the window: no advice (the virality model's own minimum). Default 200. */
  minOutcomes?: number;
  /** The tenant's advice settings (TenantSettingsService, the owner of the tenants table); the options' otherwise. */
  settings?: (tenantId: string) => Promise<{ minLiftFraction: number; primaryOutcome: string }>;
}

export class AdviceService implements Adviser {
  constructor(
    private readonly repo: AdviceRepository,
    private readonly log: Logger,
    private readonly options: AdviceServiceOptions = {},
  ) {}

  /** The outcome models fitted on the window ending with `day`, and the day's advice from them (none below the minimum). */
  async advise(tenantId: string, day: string): Promise<Recommendation[]> {
    const { end } = dayBounds(day);
    const from = new Date(end.getTime() - (this.options.trainingWindowDays ?? 180) * DAY_MS);
    const rows = await this.repo.outcomeRows(tenantId, from, end);
    const minOutcomes = this.options.minOutcomes ?? 200;
    if (rows.length < minOutcomes) {
      this.log.info({ tenantId, day, outcomes: rows.length, minOutcomes }, 'advice: too few outcomes for the models');
      return [];
    }
    const examples: OutcomeExample[] = trainingExamples(rows).map((e, i) => ({ ...e, completionRate: rows[i].completionRate }));
    const models = fitOutcomeModels(examples);
    const fingerprint = createHash('sha256')
      .update(JSON.stringify(models.map((m) => [m.outcome, m.head.intercept, m.head.coefficients])))
      .digest('hex')
      .slice(0, 8);
    const modelVersion = `o${day.replaceAll('-', '')}-${fingerprint}`;
    const settings = await this.options.settings?.(tenantId);
    const advice = advise(models, examples, {
      ...this.options,
      ...(settings ? { minLiftFraction: settings.minLiftFraction, primaryOutcome: settings.primaryOutcome as OutcomeName } : {}),
      modelVersion,
    });
    this.log.info({ tenantId, day, modelVersion, outcomes: rows.length, advice: advice.length }, 'advice: outcome models fitted');
    return advice;
  }
}
