// All SQL of experiments: the experiment tables (owned here) and reads of posts and metric observations.
import type { Db } from '../db/connect.js';
import { queryNamed } from '../db/named-params.js';
import { withDbErrors } from '../db/pg-errors.js';
import { withSession, withTransaction } from '../db/session.js';
import type {
  Decision,
  Experiment,
  ExperimentDayResult,
  ExperimentDefinition,
  ExperimentPostOutcome,
  ExperimentResult,
  ExperimentStatus,
  OtherAssignment,
} from './experiment.types.js';

const EXPERIMENT_COLUMNS = `e.experiment_id as "experimentId", e.name, e.hypothesis, e.variants, e.primary_metric as "primaryMetric",
  e.guardrail_metrics as "guardrailMetrics", e.platform, e.minimum_detectable_effect as "minimumDetectableEffect",
  e.horizon_hours as "horizonHours", to_char(e.planned_end_day, 'YYYY-MM-DD') as "plannedEndDay",
  e.covariate_adjustment as "covariateAdjustment", e.status, e.decision, e.decision_reason as "decisionReason",
  e.winner_variant as "winnerVariant", e.created_at as "createdAt", e.stopped_at as "stoppedAt",
  (select coalesce(jsonb_object_agg(variant, n), '{}') from (
     select ep.variant, count(*)::int as n from experiment_posts ep
      where ep.tenant_id = e.tenant_id and ep.experiment_id = e.experiment_id group by ep.variant) counts) as "countsByVariant"`;

type ExperimentRow = Omit<Experiment, 'postCounts' | 'platform'> & { platform: string | null; countsByVariant: Record<string, number> };

function experimentOf(row: ExperimentRow): Experiment {
  const { countsByVariant, platform, ...rest } = row;
  return { ...rest, platform: platform ?? undefined, postCounts: row.variants.map((v) => countsByVariant[v] ?? 0) };
}

/** What an assignment attempt found, in one transaction. */
export type AssignOutcome =
  | { kind: 'stopped' }
  | { kind: 'conflicts'; conflicts: { postId: string; variant: string }[] }
  /** `alsoIn`: the assignments of these posts in other running experiments (first 100). */
  | { kind: 'assigned'; added: number; unchanged: number; alsoIn: OtherAssignment[] };

export class ExperimentRepository {
  constructor(private readonly db: Db) {}

  private async rows<Row>(sql: string, bindings: Readonly<Record<string, unknown>>): Promise<Row[]> {
    return withSession(this.db, async (session) => (await queryNamed<Row>(session, sql, bindings)).rows);
  }

  async create(tenantId: string, experimentId: string, d: ExperimentDefinition): Promise<Experiment> {
    return withDbErrors(`experiment "${d.name}"`, async () => {
      await this.rows(
        `insert into experiments (tenant_id, experiment_id, name, hypothesis, variants, primary_metric, guardrail_metrics, platform,
                                  minimum_detectable_effect, horizon_hours, planned_end_day, covariate_adjustment)
         values (:tenant, :id, :name, :hypothesis, :variants::text[], :primary, :guardrails::text[], :platform,
                 :mde, :horizon, :end::date, :adjust)`,
        {
          tenant: tenantId,
          id: experimentId,
          name: d.name,
          hypothesis: d.hypothesis,
          variants: d.variants,
          primary: d.primaryMetric,
          guardrails: d.guardrailMetrics,
          platform: d.platform ?? null,
          mde: d.minimumDetectableEffect,
          horizon: d.horizonHours,
          end: d.plannedEndDay,
          adjust: d.covariateAdjustment,
        },
      );
      return (await this.get(tenantId, experimentId))!;
    });
  }

  async get(tenantId: string, experimentId: string): Promise<Experiment | undefined> {
    const rows = await withDbErrors(`experiment "${experimentId}"`, () =>
      this.rows<ExperimentRow>(`select ${EXPERIMENT_COLUMNS} from experiments e where e.tenant_id = :tenant and e.experiment_id = :id`, {
        tenant: tenantId,
        id: experimentId,
      }),
    );
    return rows[0] ? experimentOf(rows[0]) : undefined;
  }

  /**
   * Newest first, after the (createdAt, id) key of the previous page.
   * NOTE: ordered and compared at millisecond precision, the precision of the page token's ISO time: with the
   * stored microseconds, a row a few microseconds after the token's time would be skipped.
   */
  async list(tenantId: string, status: ExperimentStatus | undefined, after: [string, string] | undefined, limit: number): Promise<Experiment[]> {
    const rows = await withDbErrors('experiments', () =>
      this.rows<ExperimentRow>(
        `select ${EXPERIMENT_COLUMNS} from experiments e
          where e.tenant_id = :tenant and (:status::text is null or e.status = :status)
            and (:afterTime::timestamptz is null or (date_trunc('milliseconds', e.created_at), e.experiment_id) < (:afterTime::timestamptz, :afterId::text))
          order by date_trunc('milliseconds', e.created_at) desc, e.experiment_id desc limit :limit`,
        { tenant: tenantId, status: status ?? null, afterTime: after?.[0] ?? null, afterId: after?.[1] ?? null, limit },
      ),
    );
    return rows.map(experimentOf);
  }

  /** The posts among `postIds` that the tenant registered, with their platform (others are absent). */
  async postPlatforms(tenantId: string, postIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await withDbErrors('posts', () =>
      this.rows<{ postId: string; platform: string }>(
        `select post_id as "postId", platform from posts where tenant_id = :tenant and post_id = any(:ids::text[])`,
        { tenant: tenantId, ids: [...postIds] },
      ),
    );
    return new Map(rows.map((r) => [r.postId, r.platform]));
  }

  /**
   * Assigns posts in one transaction, the experiment row locked: nothing is written when the experiment is
   * stopped or when a post is already in another variant.
   */
  async assign(tenantId: string, experimentId: string, assignments: readonly { postId: string; variant: string }[]): Promise<AssignOutcome> {
    return withDbErrors(`posts of experiment "${experimentId}"`, () =>
      withTransaction(this.db, async (session): Promise<AssignOutcome> => {
        const status = await session.query<{ status: string }>('select status from experiments where tenant_id = $1 and experiment_id = $2 for update', [
          tenantId,
          experimentId,
        ]);
        if (status.rows[0]?.status !== 'running') return { kind: 'stopped' };
        const ids = assignments.map((a) => a.postId);
        const existing = await session.query<{ postId: string; variant: string }>(
          'select post_id as "postId", variant from experiment_posts where tenant_id = $1 and experiment_id = $2 and post_id = any($3::text[])',
          [tenantId, experimentId, ids],
        );
        const stored = new Map(existing.rows.map((r) => [r.postId, r.variant]));
        const conflicts = assignments.filter((a) => stored.has(a.postId) && stored.get(a.postId) !== a.variant);
        if (conflicts.length) return { kind: 'conflicts', conflicts: conflicts.map((a) => ({ postId: a.postId, variant: stored.get(a.postId)! })) };
        const fresh = assignments.filter((a) => !stored.has(a.postId));
        // A post in two running experiments counts in both (a factorial design, or a mistake): the caller is told.
        const alsoIn = await session.query<OtherAssignment>(
          `select ep.post_id as "postId", ep.experiment_id as "experimentId", ep.variant
             from experiment_posts ep
             join experiments e on e.tenant_id = ep.tenant_id and e.experiment_id = ep.experiment_id
            where ep.tenant_id = $1 and ep.experiment_id <> $2 and ep.post_id = any($3::text[]) and e.status = 'running'
            order by ep.post_id, ep.experiment_id
            limit 100`,
          [tenantId, experimentId, ids],
        );
        if (fresh.length)
          await session.query(
            `insert into experiment_posts (tenant_id, experiment_id, post_id, variant)
             select $1, $2, post_id, variant from unnest($3::text[], $4::text[]) as t(post_id, variant)`,
            [tenantId, experimentId, fresh.map((a) => a.postId), fresh.map((a) => a.variant)],
          );
        return { kind: 'assigned', added: fresh.length, unchanged: assignments.length - fresh.length, alsoIn: alsoIn.rows };
      }),
    );
  }

  /**
   * The experiment's posts published at least the horizon before `asOf`, with their outcome: the latest
   * observation at most the horizon after publishing (and before `asOf`). Posts without one have null outcomes.
   */
  async outcomes(tenantId: string, experimentId: string, horizonHours: number, asOf: Date): Promise<ExperimentPostOutcome[]> {
    // NOTE: reads the metrics area's posts and observation tables; only this area's tables are ever written.
    return withDbErrors(`outcomes of experiment "${experimentId}"`, () =>
      this.rows<ExperimentPostOutcome>(
        `select ep.post_id as "postId", ep.variant, p.content_id as "contentId", p.platform, p.published_at as "publishedAt",
                p.time_zone as "timeZone", r.views::float8 as views, r.completion_rate as "completionRate",
                r.skip_rate_first_3s as "first3sLoss",
                case when r.views > 0 and m.interactions is not null then m.interactions / r.views::float8 end as "engagementRate"
           from experiment_posts ep
           join posts p on p.tenant_id = ep.tenant_id and p.post_id = ep.post_id
           left join lateral (
             select views, completion_rate, skip_rate_first_3s from retention_metrics
              where tenant_id = ep.tenant_id and post_id = ep.post_id
                and observed_at <= p.published_at + make_interval(hours => :horizon) and observed_at < :asOf
              order by observed_at desc limit 1
           ) r on true
           left join lateral (
             select (likes + comments + shares + saves)::float8 as interactions from engagement_metrics
              where tenant_id = ep.tenant_id and post_id = ep.post_id
                and observed_at <= p.published_at + make_interval(hours => :horizon) and observed_at < :asOf
              order by observed_at desc limit 1
           ) m on true
          where ep.tenant_id = :tenant and ep.experiment_id = :id
            and p.published_at + make_interval(hours => :horizon) <= :asOf
          order by ep.post_id`,
        { tenant: tenantId, id: experimentId, horizon: horizonHours, asOf },
      ),
    );
  }

  /** Stores (or replaces) the result of one day's look. */
  async saveDayResult(tenantId: string, experimentId: string, day: string, result: ExperimentResult): Promise<void> {
    await withDbErrors(`result of experiment "${experimentId}" on ${day}`, () =>
      this.rows(
        `insert into experiment_results (tenant_id, experiment_id, day, decision, result)
         values (:tenant, :id, :day::date, :decision, :result::jsonb)
         on conflict (tenant_id, experiment_id, day) do update set decision = excluded.decision, result = excluded.result, computed_at = now()`,
        { tenant: tenantId, id: experimentId, day, decision: result.decision, result: JSON.stringify(result) },
      ),
    );
  }

  /** The stored daily results, oldest first. */
  async history(tenantId: string, experimentId: string): Promise<ExperimentDayResult[]> {
    return withDbErrors(`results of experiment "${experimentId}"`, () =>
      this.rows<ExperimentDayResult>(
        `select to_char(day, 'YYYY-MM-DD') as day, result from experiment_results
          where tenant_id = :tenant and experiment_id = :id order by day`,
        { tenant: tenantId, id: experimentId },
      ),
    );
  }

  /** Records a decision; `stop` also stops a running experiment. Returns the experiment after. */
  async recordDecision(
    tenantId: string,
    experimentId: string,
    outcome: { decision: Decision; reason: string; winnerVariant: string },
    stop: boolean,
  ): Promise<Experiment | undefined> {
    await withDbErrors(`experiment "${experimentId}"`, () =>
      this.rows(
        `update experiments
            set decision = :decision, decision_reason = :reason, winner_variant = :winner,
                status = case when :stop then 'stopped' else status end,
                stopped_at = case when :stop and status = 'running' then now() else stopped_at end
          where tenant_id = :tenant and experiment_id = :id and status = 'running'`,
        { tenant: tenantId, id: experimentId, decision: outcome.decision, reason: outcome.reason, winner: outcome.winnerVariant, stop },
      ),
    );
    return this.get(tenantId, experimentId);
  }

  /** The posts of every running experiment, of every tenant (metric retention keeps their metrics). */
  async runningExperimentPosts(): Promise<{ tenantId: string; experimentId: string; postId: string }[]> {
    return withDbErrors('posts of running experiments', () =>
      this.rows<{ tenantId: string; experimentId: string; postId: string }>(
        `select ep.tenant_id as "tenantId", ep.experiment_id as "experimentId", ep.post_id as "postId"
           from experiment_posts ep
           join experiments e on e.tenant_id = ep.tenant_id and e.experiment_id = ep.experiment_id
          where e.status = 'running'`,
        {},
      ),
    );
  }

  /** Stops a running experiment by hand; false when it was not running. */
  async stop(tenantId: string, experimentId: string, reason: string): Promise<boolean> {
    const rows = await withDbErrors(`experiment "${experimentId}"`, () =>
      this.rows(
        `update experiments set status = 'stopped', stopped_at = now(), decision_reason = :reason
          where tenant_id = :tenant and experiment_id = :id and status = 'running' returning experiment_id`,
        { tenant: tenantId, id: experimentId, reason },
      ),
    );
    return rows.length > 0;
  }
}
