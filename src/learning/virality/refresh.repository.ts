// All SQL of the virality model's refresh between daily runs: its state (sufficient statistics and watermark), the
// outcomes that changed since the watermark, and the commit of a refreshed version.
import type { Db } from '../../db/connect.js';
import { queryNamed } from '../../db/named-params.js';
import { withDbErrors } from '../../db/pg-errors.js';
import { withSession, withTransaction } from '../../db/session.js';
import type { StoredSums } from './refresh-stats.js';
import type { TrainingRow } from './virality.types.js';
import { CONTENT_COLUMNS, LATEST_VIEWS } from '../outcomes.sql.js';

/** The refresh state of a (tenant, model). */
export interface RefreshState {
  baseVersion: string;
  /** Outcomes observed before this instant are in the base statistics, counted with their latest views then. */
  baseWatermark: Date;
  /** Observations before this instant are counted. */
  watermark: Date;
  refreshes: number;
  stats: StoredSums;
}

/** A post observed since the watermark, with the ln views it is counted with so far (null: not counted yet). */
export interface ChangedOutcome extends TrainingRow {
  countedLogViews: number | null;
}

/** What one refresh writes, in one transaction. */
export interface RefreshCommit {
  modelName: string;
  /** The state read before (undefined: none, or replaced by a new base): the commit is refused when it moved. */
  expected: { baseVersion: string; watermark: Date } | undefined;
  state: RefreshState;
  outcomes: readonly { postId: string; logViews: number }[];
  version: string;
  trainedOnDay: string;
  params: unknown;
  /** The version promoted when the refresh started: the new one replaces it only if it still is. */
  replaces: string;
}

export class RefreshRepository {
  constructor(private readonly db: Db) {}

  async state(tenantId: string, modelName: string): Promise<RefreshState | undefined> {
    return withDbErrors(`refresh state of model "${modelName}"`, () =>
      withSession(this.db, async (session) => {
        const { rows } = await queryNamed<RefreshState>(
          session,
          `select base_version as "baseVersion", base_watermark as "baseWatermark", watermark, refreshes, stats
             from model_refresh_state where tenant_id = :tenant and model_name = :model`,
          { tenant: tenantId, model: modelName },
        );
        return rows[0];
      }),
    );
  }

  /**
   * Posts published at or after `publishedFrom` with a views observation in [from, until): features, latest views
   * before `until`, earliest first-3-s loss, and the ln views they are counted with — the refresh's own record, or
   * else their latest views before `baseWatermark` (the base statistics' rule).
   * NOTE: bounded by the new observations: the posts come from the time index of the observations since `from`.
   */
  async changedOutcomes(tenantId: string, modelName: string, publishedFrom: Date, from: Date, until: Date, baseWatermark: Date): Promise<ChangedOutcome[]> {
    return withDbErrors(`outcomes of tenant "${tenantId}" since ${from.toISOString()}`, () =>
      withSession(this.db, async (session) => {
        const { rows } = await queryNamed<ChangedOutcome>(
          session,
          `with changed as (
             select distinct r.post_id from retention_metrics r
              where r.tenant_id = :tenant and r.observed_at >= :from and r.observed_at < :until
           )
           select p.post_id as "postId", p.platform, p.published_at as "publishedAt", p.time_zone as "timeZone",
                  ${CONTENT_COLUMNS}, latest.views, engagement.interactions, early.first_3s_loss as "first3sLoss",
                  coalesce(o.log_views, ln(1 + base.views)) as "countedLogViews"
             from changed
             join posts p on p.tenant_id = :tenant and p.post_id = changed.post_id
             join content c on c.tenant_id = p.tenant_id and c.content_id = p.content_id
             ${LATEST_VIEWS}
             left join lateral (
               select r.skip_rate_first_3s as first_3s_loss from retention_metrics r
                where r.tenant_id = p.tenant_id and r.post_id = p.post_id and r.observed_at < :until
                order by r.observed_at asc limit 1
             ) early on true
             left join lateral (
               select r.views::float8 as views from retention_metrics r
                where r.tenant_id = p.tenant_id and r.post_id = p.post_id and r.observed_at < :baseWatermark
                order by r.observed_at desc limit 1
             ) base on true
             left join model_refresh_outcomes o on o.tenant_id = p.tenant_id and o.model_name = :model and o.post_id = p.post_id
            where p.published_at >= :publishedFrom
            order by p.published_at, p.post_id`,
          { tenant: tenantId, model: modelName, from, until, baseWatermark, publishedFrom },
        );
        return rows;
      }),
    );
  }

  /**
   * Writes a refresh: state, counted outcomes, the new model version, and its promotion — all or nothing, under a
   * transaction-scoped advisory lock on (tenant, model); refused (false) when another refresher holds the lock, the
   * state moved since it was read, or the promoted version changed (a daily run): nothing is then counted twice.
   */
  async commit(tenantId: string, c: RefreshCommit): Promise<boolean> {
    return withDbErrors(`refresh of model "${c.modelName}"`, () =>
      withTransaction(this.db, async (session) => {
        const bindings = { tenant: tenantId, model: c.modelName };
        const lock = await queryNamed<{ locked: boolean }>(
          session,
          `select pg_try_advisory_xact_lock(hashtext('model_refresh:' || :tenant || ':' || :model)) as locked`,
          bindings,
        );
        if (!lock.rows[0]?.locked) return false;
        const current = await queryNamed<{ baseVersion: string; watermark: Date }>(
          session,
          `select base_version as "baseVersion", watermark from model_refresh_state where tenant_id = :tenant and model_name = :model for update`,
          bindings,
        );
        const row = current.rows[0];
        const moved = c.expected
          ? !row || row.baseVersion !== c.expected.baseVersion || row.watermark.getTime() !== c.expected.watermark.getTime()
          : row !== undefined && row.baseVersion === c.state.baseVersion;
        if (moved) return false;
        const promoted = await queryNamed<{ version: string }>(
          session,
          'select version from learned_models where tenant_id = :tenant and model_name = :model and promoted for update',
          bindings,
        );
        if (promoted.rows[0]?.version !== c.replaces) return false;
        if (!c.expected) await queryNamed(session, 'delete from model_refresh_state where tenant_id = :tenant and model_name = :model', bindings);
        const s = c.state;
        await queryNamed(
          session,
          `insert into model_refresh_state (tenant_id, model_name, base_version, base_watermark, watermark, refreshes, stats, updated_at)
           values (:tenant, :model, :base, :baseWatermark, :watermark, :refreshes, :stats::jsonb, now())
           on conflict (tenant_id, model_name) do update set watermark = excluded.watermark, refreshes = excluded.refreshes,
             stats = excluded.stats, updated_at = now()`,
          { ...bindings, base: s.baseVersion, baseWatermark: s.baseWatermark, watermark: s.watermark, refreshes: s.refreshes, stats: JSON.stringify(s.stats) },
        );
        if (c.outcomes.length) {
          await queryNamed(
            session,
            `insert into model_refresh_outcomes (tenant_id, model_name, post_id, log_views)
             select :tenant, :model, u.post_id, u.log_views from unnest(:posts::text[], :values::float8[]) as u(post_id, log_views)
             on conflict (tenant_id, model_name, post_id) do update set log_views = excluded.log_views`,
            { ...bindings, posts: c.outcomes.map((o) => o.postId), values: c.outcomes.map((o) => o.logViews) },
          );
        }
        await queryNamed(
          session,
          `insert into learned_models (tenant_id, model_name, version, trained_on_day, params, evaluation)
           values (:tenant, :model, :version, :day::date, :params::jsonb, :evaluation::jsonb)`,
          { ...bindings, version: c.version, day: c.trainedOnDay, params: JSON.stringify(c.params), evaluation: JSON.stringify({ refreshOf: c.replaces }) },
        );
        await queryNamed(session, 'update learned_models set promoted = false where tenant_id = :tenant and model_name = :model and promoted', bindings);
        await queryNamed(session, 'update learned_models set promoted = true where tenant_id = :tenant and model_name = :model and version = :version', {
          ...bindings,
          version: c.version,
        });
        return true;
      }),
    );
  }
}
