// Experiments: create, assign posts to variants, look at the results (always-valid intervals), stop; and the
// daily update the learning run calls through its ExperimentUpdater port.
import { randomUUID } from 'node:crypto';
import { dayBounds, dayOf } from '../domain/days.js';
import { decodePageToken, encodePageToken, pageSizeOf, queryFingerprint } from '../domain/paging.js';
import { throwIfStopped } from '../domain/deadline.js';
import { AppError, failedPrecondition, notFound } from '../errors.js';
import type { ExperimentDayUpdate, ExperimentUpdater } from '../learning/run/learning.types.js';
import { experimentResult } from './experiment-result.js';
import type { ExperimentRepository } from './experiment.repository.js';
import type {
  Assignment,
  Experiment,
  ExperimentDayResult,
  ExperimentDefinition,
  ExperimentResult,
  ExperimentStatus,
  OutcomePredictor,
  OtherAssignment,
} from './experiment.types.js';

const listNamed = (items: readonly string[]) => `${items.slice(0, 5).join(', ')}${items.length > 5 ? ` and ${items.length - 5} more` : ''}`;

export class ExperimentService implements ExperimentUpdater {
  constructor(
    private readonly repo: ExperimentRepository,
    private readonly predictor: OutcomePredictor,
    private readonly now: () => Date = () => new Date(),
  ) {}

  create(tenantId: string, definition: ExperimentDefinition): Promise<Experiment> {
    return this.repo.create(tenantId, randomUUID(), definition);
  }

  async get(tenantId: string, experimentId: string): Promise<Experiment> {
    const experiment = await this.repo.get(tenantId, experimentId);
    if (!experiment) throw notFound(`experiment "${experimentId}" not found`);
    return experiment;
  }

  async list(
    tenantId: string,
    status: ExperimentStatus | undefined,
    pageSize: number,
    pageToken: string,
  ): Promise<{ experiments: Experiment[]; nextPageToken: string }> {
    const limit = pageSizeOf(pageSize, 100, 1000);
    const fingerprint = queryFingerprint(['experiments', status ?? null]);
    const key = decodePageToken(pageToken, fingerprint, 2);
    const after = key && typeof key[0] === 'string' && typeof key[1] === 'string' ? ([key[0], key[1]] as [string, string]) : undefined;
    const rows = await this.repo.list(tenantId, status, after, limit + 1);
    const experiments = rows.slice(0, limit);
    const last = experiments[experiments.length - 1];
    return { experiments, nextPageToken: rows.length > limit ? encodePageToken([last.createdAt.toISOString(), last.experimentId], fingerprint) : '' };
  }

  /**
   * Assigns posts to variants. Every post must be one of the tenant's (NOT_FOUND otherwise, another tenant's
   * included), on the experiment's platform, and in one variant only; a stopped experiment takes no posts.
   * Re-sending a stored assignment changes nothing (a retry).
   */
  async addPosts(
    tenantId: string,
    experimentId: string,
    assignments: readonly Assignment[],
  ): Promise<{ added: number; unchanged: number; alsoIn: OtherAssignment[]; experiment: Experiment }> {
    const experiment = await this.get(tenantId, experimentId);
    if (experiment.status !== 'running') throw stopped(experiment);
    const unknownVariant = assignments.find((a) => !experiment.variants.includes(a.variant));
    if (unknownVariant)
      throw new AppError(
        'invalid_argument',
        `assignments[${unknownVariant.index}].variant "${unknownVariant.variant}" is not a variant of the experiment (${experiment.variants.join(', ')})`,
        `assignments[${unknownVariant.index}].variant`,
      );
    const platforms = await this.repo.postPlatforms(
      tenantId,
      assignments.map((a) => a.postId),
    );
    const missing = assignments.filter((a) => !platforms.has(a.postId));
    if (missing.length)
      throw new AppError(
        'not_found',
        `post ${listNamed(missing.map((a) => `"${a.postId}" (assignments[${a.index}].post_id)`))} not found for this tenant; register posts with RegisterPost first`,
        `assignments[${missing[0].index}].post_id`,
      );
    const elsewhere = experiment.platform ? assignments.find((a) => platforms.get(a.postId) !== experiment.platform) : undefined;
    if (elsewhere)
      throw new AppError(
        'invalid_argument',
        `assignments[${elsewhere.index}].post_id "${elsewhere.postId}" is on ${platforms.get(elsewhere.postId)}; the experiment only takes ${experiment.platform} posts`,
        `assignments[${elsewhere.index}].post_id`,
      );
    const outcome = await this.repo.assign(tenantId, experimentId, assignments);
    if (outcome.kind === 'stopped') throw stopped(experiment);
    if (outcome.kind === 'conflicts') {
      const first = outcome.conflicts[0];
      const index = assignments.find((a) => a.postId === first.postId)!.index;
      throw new AppError(
        'already_exists',
        `assignments[${index}].post_id "${first.postId}" is already in variant "${first.variant}" of this experiment; a post belongs to one variant`,
        `assignments[${index}].post_id`,
      );
    }
    return { added: outcome.added, unchanged: outcome.unchanged, alsoIn: outcome.alsoIn, experiment: await this.get(tenantId, experimentId) };
  }

  async stop(tenantId: string, experimentId: string, reason: string): Promise<Experiment> {
    const experiment = await this.get(tenantId, experimentId);
    if (!(await this.repo.stop(tenantId, experimentId, reason || 'Stopped by hand.'))) throw stopped(experiment);
    return this.get(tenantId, experimentId);
  }

  /** Looks at an experiment with the outcomes known at `asOf`. */
  private async look(tenantId: string, experiment: Experiment, asOf: Date, lookDay: string): Promise<ExperimentResult> {
    const posts = await this.repo.outcomes(tenantId, experiment.experimentId, experiment.horizonHours, asOf);
    const covariates = experiment.covariateAdjustment ? await this.predictor.predictLogViews(tenantId, posts) : new Map<string, number>();
    return experimentResult(experiment, posts, covariates, asOf, lookDay);
  }

  /** The result now, and the daily looks of the learning run. */
  async result(tenantId: string, experimentId: string): Promise<{ experiment: Experiment; result: ExperimentResult; history: ExperimentDayResult[] }> {
    const experiment = await this.get(tenantId, experimentId);
    const now = this.now();
    const result = await this.look(tenantId, experiment, now, dayOf(now));
    return { experiment, result, history: await this.repo.history(tenantId, experimentId) };
  }

  /** The daily looks of an experiment up to `untilDay` (inclusive), oldest first (the report page's chart). */
  async history(tenantId: string, experimentId: string, untilDay: string): Promise<ExperimentDayResult[]> {
    return (await this.repo.history(tenantId, experimentId)).filter((h) => h.day <= untilDay);
  }

  /**
   * The learning run's look at every running experiment with the outcomes known at the end of `day`: the result is
   * stored for the day, and a decision other than CONTINUE stops the experiment (the intervals are valid at any
   * look, so stopping on one is sound).
   * NOTE: a backfill of old days looks too, with the outcomes known then; that is one more valid look.
   */
  async updateRunning(tenantId: string, day: string, signal?: AbortSignal): Promise<ExperimentDayUpdate[]> {
    const asOf = dayBounds(day).end;
    const running = await this.repo.list(tenantId, 'running', undefined, 10_000);
    const updates: ExperimentDayUpdate[] = [];
    for (const experiment of running) {
      throwIfStopped(signal);
      const result = await this.look(tenantId, experiment, asOf, day);
      await this.repo.saveDayResult(tenantId, experiment.experimentId, day, result);
      const stop = result.decision !== 'continue';
      await this.repo.recordDecision(tenantId, experiment.experimentId, result, stop);
      updates.push(dayUpdate(experiment, result, stop));
    }
    return updates;
  }
}

function stopped(experiment: Experiment): AppError {
  const error = failedPrecondition(`experiment "${experiment.experimentId}" is stopped; create a new experiment to test more posts`);
  return new AppError(error.kind, error.message, 'experiment_id');
}

function dayUpdate(experiment: Experiment, result: ExperimentResult, stopped: boolean): ExperimentDayUpdate {
  return {
    experimentId: experiment.experimentId,
    name: experiment.name,
    primaryMetric: experiment.primaryMetric,
    decision: result.decision,
    winnerVariant: result.winnerVariant,
    reason: result.reason,
    variants: result.primary.variants.slice(1).map((v) => ({
      variant: v.variant,
      n: v.n,
      effectRelative: v.effectRelative,
      effectRelativeLower: v.effectRelativeLower,
      effectRelativeUpper: v.effectRelativeUpper,
      significant: v.significance !== 'none',
      probabilityBest: v.probabilityBest,
    })),
    stopped,
  };
}
