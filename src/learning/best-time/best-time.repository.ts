// SQL of GetBestTimeToPost: the posts of a window with their latest outcome.
import type { Db } from '../../db/connect.js';
import { queryNamed } from '../../db/named-params.js';
import { withDbErrors } from '../../db/pg-errors.js';
import { withSession } from '../../db/session.js';
import { LATEST_VIEWS } from '../outcomes.sql.js';
import type { TimedRow } from '../timing/timing.types.js';

export class BestTimeRepository {
  constructor(private readonly db: Db) {}

  /** Runs one named-binding query in a session of its own and returns its rows. */
  private async rows<Row>(sql: string, bindings: Readonly<Record<string, unknown>>): Promise<Row[]> {
    return withSession(this.db, async (session) => (await queryNamed<Row>(session, sql, bindings)).rows);
  }

  /** Posts of one platform published in [from, to) with their latest outcome observed before `to`. */
  async timedOutcomes(tenantId: string, platform: string, from: Date, to: Date): Promise<TimedRow[]> {
    return withDbErrors(`posts of tenant "${tenantId}" on ${platform}`, async () => {
      return this.rows<TimedRow>(
        `select p.published_at as "publishedAt", latest.views, engagement.interactions
           from posts p
           ${LATEST_VIEWS}
          where p.tenant_id = :tenant and p.platform = :platform and p.published_at >= :from and p.published_at < :to
          order by p.published_at, p.post_id`,
        { tenant: tenantId, platform, from, to, until: to },
      );
    });
  }
}
