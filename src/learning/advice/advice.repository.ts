// The SQL of advice: the window's posts with their features and every outcome the advice models are fitted on.
import type { Db } from '../../db/connect.js';
import { queryNamed } from '../../db/named-params.js';
import { withDbErrors } from '../../db/pg-errors.js';
import { withSession } from '../../db/session.js';
import { CONTENT_COLUMNS, EARLIEST_FIRST_3S_LOSS, LATEST_VIEWS } from '../outcomes.sql.js';
import type { TrainingRow } from '../virality/virality.types.js';

/** A training row of the virality model with the post's completion rate at its latest observation. */
export interface OutcomeRow extends TrainingRow {
  completionRate: number;
}

export class AdviceRepository {
  constructor(private readonly db: Db) {}

  /**
   * Posts published in [from, to) with a retention observation before `to`: features, platform, zone, the latest
   * views and completion rate, the latest interactions and the earliest first-3-s loss. Oldest first.
   * NOTE: the same rows as ViralityRepository.trainingRows (its fragments) plus completion, a read of its own so the
   * virality model's read stays as it is.
   */
  async outcomeRows(tenantId: string, from: Date, to: Date): Promise<OutcomeRow[]> {
    return withDbErrors(`outcomes of tenant "${tenantId}"`, () =>
      withSession(this.db, async (session) => {
        const result = await queryNamed<OutcomeRow>(
          session,
          `select p.post_id as "postId", p.platform, p.published_at as "publishedAt", p.time_zone as "timeZone",
                  ${CONTENT_COLUMNS}, latest.views, completion.rate as "completionRate", engagement.interactions,
                  early.first_3s_loss as "first3sLoss"
             from posts p
             join content c on c.tenant_id = p.tenant_id and c.content_id = p.content_id
             ${LATEST_VIEWS}
             join lateral (
               select r.completion_rate as rate from retention_metrics r
                where r.tenant_id = p.tenant_id and r.post_id = p.post_id and r.observed_at < :until
                order by r.observed_at desc limit 1
             ) completion on true
             ${EARLIEST_FIRST_3S_LOSS}
            where p.tenant_id = :tenant and p.published_at >= :from and p.published_at < :until
            order by p.published_at, p.post_id`,
          { tenant: tenantId, from, until: to },
        );
        return result.rows;
      }),
    );
  }
}
