// All SQL of virality: training examples, live posts, content features, learned models.
import { CONTENT_COLUMNS, EARLIEST_FIRST_3S_LOSS, LATEST_VIEWS } from '../outcomes.sql.js';
import type { Db } from '../../db/connect.js';
import { queryNamed } from '../../db/named-params.js';
import { withDbErrors } from '../../db/pg-errors.js';
import { withSession, withTransaction } from '../../db/session.js';
import type { ContributionRow, ContentRow, LivePostRow, ModelRow, TenantOutcomes, TrainingRow } from './virality.types.js';
import type { PostViewsRow } from '../timing/timing.types.js';

/** Platform → share lost in the first 3 s at the earliest observation of content `c`'s post there. */
const FIRST_3S_LOSS = `(select jsonb_object_agg(platform, loss) from (
     select distinct on (p.platform) p.platform, earliest.loss
       from posts p
       -- NOTE: one index probe per post for its earliest observation (was: every observation read and sorted).
       join lateral (
         select r.skip_rate_first_3s as loss, r.observed_at from retention_metrics r
          where r.tenant_id = p.tenant_id and r.post_id = p.post_id
          order by r.observed_at asc limit 1
       ) earliest on true
      where p.tenant_id = c.tenant_id and p.content_id = c.content_id
      order by p.platform, earliest.observed_at asc
   ) early)`;

/** Posts considered by the cold-start context: the tenant's most recent ones. */
const COLD_START_POSTS = 10_000;

export class ViralityRepository {
  constructor(private readonly db: Db) {}

  /** Runs one named-binding query in a session of its own and returns its rows. */
  private async rows<Row>(sql: string, bindings: Readonly<Record<string, unknown>>): Promise<Row[]> {
    return withSession(this.db, async (session) => (await queryNamed<Row>(session, sql, bindings)).rows);
  }

  /**
   * Posts published in [from, to) with at least one retention observation before `until`: features, platform,
   * time zone, latest views and interactions, and the earliest first-3-s loss. Oldest first.
   */
  async trainingRows(tenantId: string, from: Date, to: Date, until: Date): Promise<TrainingRow[]> {
    return withDbErrors(`training examples of tenant "${tenantId}"`, async () => {
      return this.rows<TrainingRow>(
        `select p.post_id as "postId", p.platform, p.published_at as "publishedAt", p.time_zone as "timeZone",
                ${CONTENT_COLUMNS}, latest.views, engagement.interactions, early.first_3s_loss as "first3sLoss"
           from posts p
           join content c on c.tenant_id = p.tenant_id and c.content_id = p.content_id
           ${LATEST_VIEWS}
           ${EARLIEST_FIRST_3S_LOSS}
          where p.tenant_id = :tenant and p.published_at >= :from and p.published_at < :to
          order by p.published_at, p.post_id`,
        { tenant: tenantId, from, to, until },
      );
    });
  }

  /**
   * The views observations made before `to` of the posts of `platforms` published in [from, to), one row per post
   * (observation times in epoch ms and views, oldest first), ordered by platform, publication and post: what
   * BestTimeRepository.timedOutcomes reads for the views of any window inside [from, to), for many windows in one read (the
   * latest observation before a window's end is picked by the caller).
   * NOTE: one row per post, not per observation (500,000 rows took seconds to sort, send and parse). And two
   * statements, the posts then their observations by id: as one join, whenever `to` lay outside the statistics
   * (a backfilled day, a day loaded since the last ANALYZE) the planner probed each post through the time index and
   * rescanned the whole period per post (minutes for 20,000 posts); by id list, every plan is one pass.
   */
  async viewsObservations(tenantId: string, platforms: readonly string[], from: Date, to: Date): Promise<PostViewsRow[]> {
    return withDbErrors(`posts of tenant "${tenantId}"`, async () => {
      const posts = await this.rows<Omit<PostViewsRow, 'observedMs' | 'views'>>(
        `select p.platform, p.post_id as "postId", p.published_at as "publishedAt"
           from posts p
          where p.tenant_id = :tenant and p.platform = any(:platforms::text[]) and p.published_at >= :from and p.published_at < :to
          order by p.platform, p.published_at, p.post_id`,
        { tenant: tenantId, platforms: [...platforms], from, to },
      );
      if (posts.length === 0) return [];
      const curves = await this.rows<{ postId: string; observedMs: number[]; views: number[] }>(
        `select r.post_id as "postId",
                array_agg(floor(extract(epoch from r.observed_at) * 1000)::float8 order by r.observed_at) as "observedMs",
                array_agg(r.views::float8 order by r.observed_at) as views
           from retention_metrics r
          where r.tenant_id = :tenant and r.post_id = any(:ids::text[]) and r.observed_at < :to
          group by r.post_id`,
        { tenant: tenantId, ids: posts.map((p) => p.postId), to },
      );
      const byPost = new Map(curves.map((c) => [c.postId, c]));
      return posts.flatMap((post) => {
        const curve = byPost.get(post.postId);
        return curve ? [{ ...post, observedMs: curve.observedMs, views: curve.views }] : [];
      });
    });
  }

  /** The given posts with their latest views observation, in one query (unknown ids are simply absent). */
  async livePosts(tenantId: string, postIds: readonly string[]): Promise<LivePostRow[]> {
    if (postIds.length === 0) return [];
    return withDbErrors(`posts of tenant "${tenantId}"`, async () => {
      // NOTE: the post's content comes in the same statement, so a live post costs one round trip.
      const rows = await this.rows<Omit<LivePostRow, 'content'> & ContentRow & { knownContent: boolean }>(
        `select p.post_id as "postId", p.content_id as "contentId", p.platform, p.published_at as "publishedAt",
                p.time_zone as "timeZone", latest.observed_at as "observedAt", latest.views,
                curve.observed_ms as "curveObservedMs", curve.views as "curveViews", c.content_id is not null as "knownContent", ${CONTENT_COLUMNS}, ${FIRST_3S_LOSS} as "first3sLossByPlatform"
           from posts p
           left join content c on c.tenant_id = p.tenant_id and c.content_id = p.content_id
           left join lateral (
             select r.observed_at, r.views::float8 as views from retention_metrics r
              where r.tenant_id = p.tenant_id and r.post_id = p.post_id
              order by r.observed_at desc limit 1
           ) latest on true
           -- NOTE: the whole curve too: the stacked forecast reads the views at half the post's age.
           left join lateral (
             select array_agg(floor(extract(epoch from r.observed_at) * 1000)::float8 order by r.observed_at) as observed_ms,
                    array_agg(r.views::float8 order by r.observed_at) as views
               from retention_metrics r
              where r.tenant_id = p.tenant_id and r.post_id = p.post_id
           ) curve on true
          where p.tenant_id = :tenant and p.post_id = any(:ids::text[])`,
        { tenant: tenantId, ids: [...postIds] },
      );
      return rows.map(({ postId, platform, publishedAt, timeZone, observedAt, views, curveObservedMs, curveViews, knownContent, ...content }) => ({
        postId,
        contentId: content.contentId,
        platform,
        publishedAt,
        timeZone,
        observedAt,
        views,
        curveObservedMs: curveObservedMs ?? [],
        curveViews: curveViews ?? [],
        content: knownContent ? content : null,
      }));
    });
  }

  /** Stored features of the given content items (missing ids are simply absent). */
  async contentFeatures(tenantId: string, contentIds: readonly string[]): Promise<ContentRow[]> {
    if (contentIds.length === 0) return [];
    return withDbErrors(`content of tenant "${tenantId}"`, async () => {
      return this.rows<ContentRow>(
        `select c.content_id as "contentId", ${CONTENT_COLUMNS}, ${FIRST_3S_LOSS} as "first3sLossByPlatform"
           from content c
          where c.tenant_id = :tenant and c.content_id = any(:ids::text[])`,
        { tenant: tenantId, ids: [...contentIds] },
      );
    });
  }

  /** Views quantiles and engagement rate per platform over the tenant's most recent posts (latest observation each). */
  async tenantOutcomes(tenantId: string): Promise<TenantOutcomes> {
    return withDbErrors(`outcomes of tenant "${tenantId}"`, async () => {
      const rows = await this.rows<{
        platform: string | null;
        posts: number;
        p10: number | null;
        median: number | null;
        p90: number | null;
        engagement_rate: number | null;
      }>(
        `with recent as (
           select p.platform, latest.views, engagement.interactions
             from posts p
             ${LATEST_VIEWS}
            where p.tenant_id = :tenant
            order by p.published_at desc limit :limit
         )
         select null as platform, count(*)::float8 as posts,
                percentile_cont(0.1) within group (order by views) as p10,
                percentile_cont(0.5) within group (order by views) as median,
                percentile_cont(0.9) within group (order by views) as p90,
                null::float8 as engagement_rate
           from recent
         union all
         select platform, count(*)::float8, null, null, null, sum(interactions) / nullif(sum(views), 0)
           from recent where interactions is not null group by platform`,
        { tenant: tenantId, limit: COLD_START_POSTS, until: new Date('9999-01-01T00:00:00Z') },
      );
      const overall = rows.find((r) => r.platform === null);
      const engagementRateByPlatform: Record<string, number> = {};
      for (const row of rows) if (row.platform !== null && row.engagement_rate !== null) engagementRateByPlatform[row.platform] = row.engagement_rate;
      return {
        posts: overall?.posts ?? 0,
        viewsP10: overall?.p10 ?? 0,
        viewsMedian: overall?.median ?? 0,
        viewsP90: overall?.p90 ?? 0,
        engagementRateByPlatform,
      };
    });
  }

  /** The promoted version of a model, or undefined. */
  async promotedModel(tenantId: string, modelName: string): Promise<ModelRow | undefined> {
    return withDbErrors(`model "${modelName}"`, async () => {
      const rows = await this.rows<ModelRow>(
        `select version, to_char(trained_on_day, 'YYYY-MM-DD') as "trainedOnDay", params, evaluation, promoted
           from learned_models where tenant_id = :tenant and model_name = :model and promoted`,
        { tenant: tenantId, model: modelName },
      );
      return rows[0];
    });
  }

  /** Stores a version with its evaluation; storing the same version again replaces its evaluation. */
  async saveModel(tenantId: string, modelName: string, version: string, trainedOnDay: string, params: unknown, evaluation: unknown): Promise<void> {
    await withDbErrors(`model "${modelName}" version ${version}`, () =>
      this.rows(
        `insert into learned_models (tenant_id, model_name, version, trained_on_day, params, evaluation)
         values (:tenant, :model, :version, :day::date, :params::jsonb, :evaluation::jsonb)
         on conflict (tenant_id, model_name, version) do update set evaluation = excluded.evaluation`,
        { tenant: tenantId, model: modelName, version, day: trainedOnDay, params: JSON.stringify(params), evaluation: JSON.stringify(evaluation) },
      ),
    );
  }

  /**
   * Makes `version` the promoted one, in one transaction under an advisory lock on (tenant, model), only if the
   * promoted version is still `expectedCurrent` (undefined: none). Returns whether it was promoted.
   */
  async promote(tenantId: string, modelName: string, version: string, expectedCurrent: string | undefined): Promise<boolean> {
    return withDbErrors(`model "${modelName}" version ${version}`, () =>
      withTransaction(this.db, async (session) => {
        await session.query('select pg_advisory_xact_lock(hashtext($1))', [`learned_models:${tenantId}:${modelName}`]);
        const current = await session.query<{ version: string }>('select version from learned_models where tenant_id = $1 and model_name = $2 and promoted', [
          tenantId,
          modelName,
        ]);
        if ((current.rows[0]?.version ?? undefined) !== expectedCurrent) return false;
        await session.query('update learned_models set promoted = false where tenant_id = $1 and model_name = $2 and promoted', [tenantId, modelName]);
        const updated = await session.query(
          'update learned_models set promoted = true where tenant_id = $1 and model_name = $2 and version = $3 returning version',
          [tenantId, modelName, version],
        );
        return updated.rows.length > 0;
      }),
    );
  }

  /** Whether the tenant opted in to learning across artists (tenants.share_learning; the tenancy area owns it). */
  async sharesLearning(tenantId: string): Promise<boolean> {
    return withDbErrors(`tenant "${tenantId}"`, async () => {
      const rows = await this.rows<{ share: boolean }>('select share_learning as share from tenants where tenant_id = :tenant', { tenant: tenantId });
      return rows[0]?.share ?? false;
    });
  }

  /**
   * What the prior is made of: the coefficients and their variances (never records) of the promoted own models
   * (not themselves fitted toward a prior) of the sharing tenants other than `tenantId`, in tenant order.
   */
  async sharedContributions(tenantId: string, modelName: string): Promise<ContributionRow[]> {
    return withDbErrors(`shared prior of model "${modelName}"`, () =>
      this.rows<ContributionRow>(
        `select m.params->'columns' as columns, m.params->'logViews'->'coefficients' as coefficients,
                m.params->'coefficientVariances' as "coefficientVariances",
                (m.params->'logViews'->>'residualVariance')::float8 as "residualVariance"
           from learned_models m
           join tenants t on t.tenant_id = m.tenant_id
          where t.share_learning and m.model_name = :model and m.promoted and m.tenant_id <> :tenant
            and m.params->'prior' is null and m.params->'coefficientVariances' is not null
          order by m.tenant_id`,
        { tenant: tenantId, model: modelName },
      ),
    );
  }

  /** Un-promotes `version` (the tenant goes back to the formula); returns whether it was the promoted one. */
  async retire(tenantId: string, modelName: string, version: string): Promise<boolean> {
    return withDbErrors(`model "${modelName}" version ${version}`, async () => {
      const rows = await this.rows(
        'update learned_models set promoted = false where tenant_id = :tenant and model_name = :model and version = :version and promoted returning version',
        { tenant: tenantId, model: modelName, version },
      );
      return rows.length > 0;
    });
  }
}
