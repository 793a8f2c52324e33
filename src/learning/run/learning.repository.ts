// All SQL of the learning side: the day's inputs, daily snapshots, learning runs and learned models.
import type { Db } from '../../db/connect.js';
import { queryNamed } from '../../db/named-params.js';
import { platformName } from '../../domain/platform.js';
import { topPerformerOf } from '../../domain/snapshot.js';
import { withDbErrors } from '../../db/pg-errors.js';
import { throwIfPastDeadline } from '../../domain/deadline.js';
import { withSession, withTransaction, type Session } from '../../db/session.js';
import { currentScope, runInScope } from '../../db/work-scope.js';
import type { DayInput, DayPostRow, OrphanedRun, RunOutcome, RunRow, SnapshotRow } from './learning.types.js';

/**
 * Settings for the day's set-based queries. NOTE: right after a bulk load the tables have no statistics yet, the
 * planner expects a handful of rows and picks nested loops that rescan the day once per post (minutes for 10,000
 * posts). Hash joins are right for these queries at any size, so nested loops are turned off for them.
 */
function forSetQueries(session: Session): Promise<void> {
  return session.useLocalSettings({ enable_nestloop: 'off', work_mem: '64MB' });
}

// NOTE: the day's posts are those with a retention observation in [start, end); for each, the latest
// observation of the day is used (counters are cumulative observations, not increments).
const LATEST_OF_DAY = `
  with r_latest as (
    -- NOTE: pick the latest row per post by its ctid first, so the sort carries narrow columns instead of every
    -- observation's 101-value curve; the chosen rows are then fetched one by one by ctid.
    select distinct on (post_id) post_id, tableoid as part, ctid as row_id
      from retention_metrics
     where tenant_id = :tenant and observed_at >= :start and observed_at < :end
       and (:post::text is null or post_id = :post)
     order by post_id, observed_at desc
  ), r as (
    -- NOTE: a lateral fetch by one ctid is a TID scan whatever the statistics say. It was "ctid = any(array of
    -- every chosen ctid)": when the day's rows were newer than the table's statistics (estimated: 1 row), the planner
    -- applied that as a filter to an index scan of the whole day, comparing 500,000 rows with 20,000 ctids each
    -- (minutes). A ctid is unique only within one partition: tableoid keeps the fetch exact, and the day's bounds
    -- prune the partitions (latestOfPost spans months).
    select l.post_id, x.views, x.average_view_duration_s, x.completion_rate, x.rewatch_rate,
           x.skip_rate_first_3s, x.retention_curve, x.observed_at
      from r_latest l
      cross join lateral (
        select m.views, m.average_view_duration_s, m.completion_rate, m.rewatch_rate, m.skip_rate_first_3s,
               m.retention_curve, m.observed_at
          from retention_metrics m
         where m.ctid = l.row_id and m.tableoid = l.part
           and m.tenant_id = :tenant and m.observed_at >= :start and m.observed_at < :end
         -- NOTE: "limit 1" keeps the planner from flattening this into a join over the whole day.
         limit 1
      ) x
  ), e as (
    select distinct on (post_id) post_id, likes, comments, shares, saves
      from engagement_metrics
     where tenant_id = :tenant and observed_at >= :start and observed_at < :end
       and (:post::text is null or post_id = :post)
     order by post_id, observed_at desc
  ), day_posts as (
    select p.post_id, p.content_id, p.platform, p.published_at, p.time_zone, c.duration_s, c.quality_score,
           c.aesthetic_score, c.caption_length_chars, c.cta_in_first_5s, c.hashtag_count,
           r.views, r.average_view_duration_s, r.completion_rate, r.rewatch_rate, r.skip_rate_first_3s,
           r.retention_curve, r.observed_at,
           coalesce(e.likes, 0) as likes, coalesce(e.comments, 0) as comments,
           coalesce(e.shares, 0) as shares, coalesce(e.saves, 0) as saves
      from r
      join posts p on p.tenant_id = :tenant and p.post_id = r.post_id
      join content c on c.tenant_id = :tenant and c.content_id = p.content_id
      left join e on e.post_id = r.post_id
  )`;

const SELECT_DAY_POSTS = `
         select post_id as "postId", content_id as "contentId", platform, published_at as "publishedAt",
                time_zone as "timeZone", duration_s as "durationS", quality_score as "qualityScore",
                aesthetic_score as "aestheticScore", caption_length_chars as "captionLengthChars",
                cta_in_first_5s as "ctaInFirst5s", hashtag_count as "hashtagCount", views,
                average_view_duration_s as "averageViewDurationS", completion_rate as "completionRate",
                rewatch_rate as "rewatchRate", skip_rate_first_3s as "skipRateFirst3s",
                retention_curve as "retentionCurve", likes, comments, shares, saves, observed_at as "observedAt"
           from day_posts order by post_id`;

/** The posts observed in [:start, :end) with their latest observation (one tenant, or one post with :post). */
export const DAY_POSTS_SQL = `${LATEST_OF_DAY} ${SELECT_DAY_POSTS}`;

const RUN_COLUMNS = `tenant_id as "tenantId", to_char(day, 'YYYY-MM-DD') as day, status, trigger, attempt,
  started_at as "startedAt", finished_at as "finishedAt", steps, rows_read as "rowsRead",
  latest_observed_at as "latestObservedAt", model_versions as "modelVersions", error_message as "errorMessage", owner`;

export class LearningRepository {
  constructor(private readonly db: Db) {}

  /** Reads the posts observed in [start, end) (latest observation each), rows read and the watermark. */
  async readDay(tenantId: string, start: Date, end: Date): Promise<DayInput> {
    const bindings = { tenant: tenantId, start, end, post: null };
    return withDbErrors(`metrics of tenant "${tenantId}"`, () =>
      withTransaction(this.db, async (session) => {
        await forSetQueries(session);
        const posts = await queryNamed<DayPostRow>(session, DAY_POSTS_SQL, bindings);
        const watermark = await queryNamed<{ rows: number | null; latest: Date | null }>(
          session,
          `select sum(n)::bigint as rows, max(latest) as latest from (
           select count(*) as n, max(observed_at) as latest from retention_metrics
            where tenant_id = :tenant and observed_at >= :start and observed_at < :end
           union all
           select count(*), max(observed_at) from engagement_metrics
            where tenant_id = :tenant and observed_at >= :start and observed_at < :end
         ) t`,
          bindings,
        );
        return { posts: posts.rows, rowsRead: Number(watermark.rows[0]?.rows ?? 0), latestObservedAt: watermark.rows[0]?.latest ?? null };
      }),
    );
  }

  /** The latest retention observation of one post, with its post and content, or undefined. */
  async latestOfPost(tenantId: string, postId: string): Promise<DayPostRow | undefined> {
    const bindings = { tenant: tenantId, start: new Date(0), end: new Date('9999-01-01T00:00:00Z'), post: postId };
    return withDbErrors(`post "${postId}"`, () =>
      withSession(this.db, async (session) => (await queryNamed<DayPostRow>(session, DAY_POSTS_SQL, bindings)).rows[0]),
    );
  }

  /**
   * Aggregates the day per platform in SQL and stores it in daily_snapshots, replacing any earlier build of
   * that day (platforms with no data any more are removed). Returns the stored rows.
   */
  async buildSnapshots(tenantId: string, day: string, start: Date, end: Date): Promise<SnapshotRow[]> {
    const bindings = { tenant: tenantId, day, start, end, post: null };
    return withDbErrors(`daily snapshot ${day}`, () =>
      withTransaction(this.db, async (session) => {
        await forSetQueries(session);
        await queryNamed(session, 'delete from daily_snapshots where tenant_id = :tenant and day = :day', bindings);
        await queryNamed(
          session,
          `${LATEST_OF_DAY}, ranked as (
             select d.*, row_number() over (partition by platform order by views desc, post_id) as rank
               from day_posts d
           )
           insert into daily_snapshots (tenant_id, day, platform, posts_count, views, average_retention, completion_rate,
                                        engagement_rate, saves_rate, shares_rate, first_3s_loss, top_performers, built_at)
           select :tenant, :day::date, platform, count(*), sum(views),
                  avg(least(1.0, average_view_duration_s / duration_s)),
                  coalesce(sum(completion_rate * views) / nullif(sum(views), 0), 0),
                  coalesce(sum(likes + comments + shares + saves)::float8 / nullif(sum(views), 0), 0),
                  coalesce(sum(saves)::float8 / nullif(sum(views), 0), 0),
                  coalesce(sum(shares)::float8 / nullif(sum(views), 0), 0),
                  avg(skip_rate_first_3s),
                  coalesce(jsonb_agg(jsonb_build_object(
                    'postId', post_id, 'contentId', content_id, 'platform', platform, 'views', views,
                    'engagementRate', case when views > 0 then (likes + comments + shares + saves)::float8 / views else 0 end,
                    'completionRate', completion_rate) order by rank) filter (where rank <= 5), '[]'::jsonb),
                  now()
             from ranked group by platform`,
          bindings,
        );
        return this.snapshotsIn(session, tenantId, day, day);
      }),
    );
  }

  /** Stored snapshots of a day range (inclusive), optionally of one platform. */
  async listSnapshots(tenantId: string, startDay: string, endDay: string, platform?: string): Promise<SnapshotRow[]> {
    return withDbErrors('daily snapshots', () => withSession(this.db, (session) => this.snapshotsIn(session, tenantId, startDay, endDay, platform)));
  }

  private async snapshotsIn(session: Session, tenantId: string, startDay: string, endDay: string, platform?: string): Promise<SnapshotRow[]> {
    const result = await queryNamed<Omit<SnapshotRow, 'topPerformers'> & { topPerformers: Record<string, unknown>[] | null }>(
      session,
      `select to_char(day, 'YYYY-MM-DD') as day, platform, posts_count as "postsCount", views,
              average_retention as "averageRetention", completion_rate as "completionRate",
              engagement_rate as "engagementRate", saves_rate as "savesRate", shares_rate as "sharesRate",
              first_3s_loss as "first3sLoss", top_performers as "topPerformers", built_at as "builtAt"
         from daily_snapshots
        where tenant_id = :tenant and day between :start::date and :end::date and (:platform::text is null or platform = :platform)
        order by day, platform`,
      { tenant: tenantId, start: startDay, end: endDay, platform: platform ?? null },
    );
    return result.rows.map((row) => ({ ...row, topPerformers: (row.topPerformers ?? []).map((t) => topPerformerOf(t, platformName)) }));
  }

  /**
   * Claims the run of (tenant, day) for this caller. Inside one transaction it takes
   * pg_try_advisory_xact_lock on (tenant, day) so concurrent claimers are serialised, then marks the run
   * `running` unless it already succeeded (and `force` is off) or another live runner holds it.
   * Returns the claimed run, or the existing run and why it was not claimed.
   */
  async claimRun(
    tenantId: string,
    day: string,
    trigger: string,
    force: boolean,
    staleAfterMs: number,
  ): Promise<{ claimed: true; run: RunRow } | { claimed: false; reason: 'locked' | 'done' | 'running'; run?: RunRow }> {
    return withDbErrors(`learning run ${day}`, () =>
      withTransaction(this.db, async (session) => {
        const lock = await session.query<{ locked: boolean }>('select pg_try_advisory_xact_lock(hashtext($1)) as locked', [`learning:${tenantId}:${day}`]);
        if (!lock.rows[0].locked) return { claimed: false as const, reason: 'locked' as const };
        const existing = await this.getRunIn(session, tenantId, day);
        if (existing?.status === 'succeeded' && !force) return { claimed: false as const, reason: 'done' as const, run: existing };
        if (existing?.status === 'running' && (await this.ownerLives(existing, staleAfterMs))) {
          return { claimed: false as const, reason: 'running' as const, run: existing };
        }
        // NOTE: the owner's liveness is visible to others before a run is recorded under it.
        await this.db.runners.hold();
        const previous = existing?.status === 'succeeded' ? JSON.stringify({ ...existing, previousSuccess: undefined }) : null;
        const result = await queryNamed<RunRow>(
          session,
          `insert into learning_runs (tenant_id, day, status, trigger, attempt, started_at, owner)
           values (:tenant, :day::date, 'running', :trigger, 1, clock_timestamp(), :owner)
           on conflict (tenant_id, day) do update
             set status = 'running', trigger = excluded.trigger, attempt = learning_runs.attempt + 1,
                 started_at = excluded.started_at, finished_at = null, error_message = '', owner = excluded.owner,
                 previous_success = coalesce(:previous::jsonb, learning_runs.previous_success)
           returning ${RUN_COLUMNS}, previous_success as "previousSuccess"`,
          { tenant: tenantId, day, trigger, owner: this.db.runners.ownerId, previous },
        );
        const claimed = result.rows[0];
        if (claimed.previousSuccess) claimed.previousSuccess = revivedRun(claimed.previousSuccess);
        // NOTE: checked after the insert (started_at = clock_timestamp() is then in the past) and before the commit:
        // a run is never recorded as started after the deadline of the call that claims it; the rollback leaves the
        // day as it was.
        throwIfPastDeadline(currentScope()?.signal);
        return { claimed: true as const, run: claimed };
      }),
    );
  }

  /**
   * Whether the runner of a `running` run still lives: its owner's process (src/db/runner-liveness.ts). A run of
   * this very process, or one recorded before owners were, counts as dead only once older than `staleAfterMs`
   * (e.g. its failure could not be recorded).
   */
  private async ownerLives(run: RunRow, staleAfterMs: number): Promise<boolean> {
    const owner = run.owner ?? '';
    if (owner === '' || owner === this.db.runners.ownerId) return Date.now() - run.startedAt.getTime() < staleAfterMs;
    return !(await this.db.runners.deadOwners([owner])).has(owner);
  }

  /**
   * Records as failed every `running` run (of any tenant) whose runner is gone, so that it is not shown as running
   * and catch-up learns it again. Returns the runs it failed.
   */
  async failOrphanedRuns(staleAfterMs: number): Promise<OrphanedRun[]> {
    return withDbErrors('learning runs', () =>
      withSession(this.db, async (session) => {
        const running = await session.query<RunRow>(`select ${RUN_COLUMNS} from learning_runs where status = 'running'`);
        const orphaned: OrphanedRun[] = [];
        for (const run of running.rows) {
          if (await this.ownerLives(run, staleAfterMs)) continue;
          const owner = run.owner || 'an unrecorded runner';
          // NOTE: "and attempt = …": a run claimed again meanwhile (its new owner lives) is left alone.
          const failed = await session.query(
            `update learning_runs set status = 'failed', finished_at = clock_timestamp(), error_message = $4
              where tenant_id = $1 and day = $2::date and attempt = $3 and status = 'running'`,
            [run.tenantId, run.day, run.attempt, `its runner (${owner}) stopped before finishing (crash, kill or lost database); learn the day again`],
          );
          if (failed.rowCount > 0) orphaned.push({ tenantId: run.tenantId, day: run.day, owner });
        }
        return orphaned;
      }),
    );
  }

  /**
   * Marks a claimed run finished (succeeded with its report, or failed with its error).
   * NOTE: a failure is recorded outside the call's work scope: when the call was cancelled, its aborted signal
   * would refuse (or cancel) this very statement and leave the run 'running' until it went stale.
   */
  async finishRun(tenantId: string, day: string, attempt: number, outcome: RunOutcome): Promise<RunRow | undefined> {
    const scope = outcome.status === 'failed' ? {} : currentScope();
    return withDbErrors(`learning run ${day}`, () =>
      runInScope(scope ?? {}, () =>
        withSession(this.db, async (session) => {
          const result = await queryNamed<RunRow>(
            session,
            `update learning_runs
            set status = :status, finished_at = clock_timestamp(), steps = :steps::jsonb, rows_read = :rowsRead,
                latest_observed_at = :latest, model_versions = :models::jsonb, error_message = :error,
                report = :report::jsonb,
                previous_success = case when :status = 'succeeded' then null else previous_success end
          where tenant_id = :tenant and day = :day::date and attempt = :attempt
          returning ${RUN_COLUMNS}`,
            {
              tenant: tenantId,
              day,
              attempt,
              status: outcome.status,
              steps: JSON.stringify(outcome.steps),
              rowsRead: outcome.rowsRead,
              latest: outcome.latestObservedAt,
              models: JSON.stringify(outcome.modelVersions),
              error: outcome.errorMessage,
              report: outcome.report === null || outcome.report === undefined ? null : JSON.stringify(outcome.report),
            },
          );
          return result.rows[0];
        }),
      ),
    );
  }

  async getRun(tenantId: string, day: string): Promise<RunRow | undefined> {
    return withDbErrors(`learning run ${day}`, () => withSession(this.db, (session) => this.getRunIn(session, tenantId, day)));
  }

  private async getRunIn(session: Session, tenantId: string, day: string): Promise<RunRow | undefined> {
    const result = await session.query<RunRow>(
      `select ${RUN_COLUMNS}, report, previous_success as "previousSuccess" from learning_runs where tenant_id = $1 and day = $2::date`,
      [tenantId, day],
    );
    const row = result.rows[0];
    if (row?.previousSuccess) row.previousSuccess = revivedRun(row.previousSuccess);
    return row;
  }

  /** Runs newest first, keyset-paged on day. */
  async listRuns(tenantId: string, startDay: string | null, endDay: string | null, beforeDay: string | null, limit: number): Promise<RunRow[]> {
    return withDbErrors('learning runs', () =>
      withSession(this.db, async (session) => {
        const result = await queryNamed<RunRow>(
          session,
          `select ${RUN_COLUMNS} from learning_runs
          where tenant_id = :tenant
            and (:start::date is null or day >= :start::date) and (:end::date is null or day <= :end::date)
            and (:before::date is null or day < :before::date)
          order by day desc limit :limit`,
          { tenant: tenantId, start: startDay, end: endDay, before: beforeDay, limit },
        );
        return result.rows;
      }),
    );
  }

  /** Per-day figures of successful runs in a range, oldest first, for trends. */
  async trendPoints(tenantId: string, startDay: string | null, endDay: string | null): Promise<{ day: string; report: unknown }[]> {
    return withDbErrors('learning trends', () =>
      withSession(this.db, async (session) => {
        const result = await queryNamed<{ day: string; report: unknown }>(
          session,
          `select to_char(day, 'YYYY-MM-DD') as day, report -> 'trend' as report from learning_runs
          where tenant_id = :tenant and status = 'succeeded'
            and (:start::date is null or day >= :start::date) and (:end::date is null or day <= :end::date)
          order by day`,
          { tenant: tenantId, start: startDay, end: endDay },
        );
        return result.rows;
      }),
    );
  }

  /** Days in [startDay, endDay] that have a run with one of the given statuses. */
  async daysWithStatus(tenantId: string, startDay: string, endDay: string, statuses: string[]): Promise<Set<string>> {
    const result = await withDbErrors('learning runs', () =>
      withSession(this.db, (session) =>
        session.query<{ day: string }>(
          `select to_char(day, 'YYYY-MM-DD') as day from learning_runs
            where tenant_id = $1 and day between $2::date and $3::date and status = any($4::text[])`,
          [tenantId, startDay, endDay, statuses],
        ),
      ),
    );
    return new Set(result.rows.map((r) => r.day));
  }

  /** Those of the given (tenant, day) pairs, of any tenants, whose learning run succeeded (metric retention asks). */
  async succeededDays(days: readonly { tenantId: string; day: string }[]): Promise<{ tenantId: string; day: string }[]> {
    if (days.length === 0) return [];
    const result = await withDbErrors('learning runs', () =>
      withSession(this.db, (session) =>
        session.query<{ tenantId: string; day: string }>(
          `select r.tenant_id as "tenantId", to_char(r.day, 'YYYY-MM-DD') as day
             from unnest($1::text[], $2::date[]) as d(tenant_id, day)
             join learning_runs r on r.tenant_id = d.tenant_id and r.day = d.day
            where r.status = 'succeeded'`,
          [days.map((d) => d.tenantId), days.map((d) => d.day)],
        ),
      ),
    );
    return result.rows;
  }
}

/** A run stored as JSON (previous_success): its timestamps back to Dates. */
function revivedRun(stored: RunRow): RunRow {
  const date = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string));
  return { ...stored, startedAt: date(stored.startedAt) as Date, finishedAt: date(stored.finishedAt), latestObservedAt: date(stored.latestObservedAt) };
}
