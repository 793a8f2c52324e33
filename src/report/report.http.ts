// GET /report?day=YYYY-MM-DD on the HTTP side: the learning report page of the caller's tenant.
import type { IncomingMessage } from 'node:http';
import type { Services } from '../app.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Route } from '../observability/http.js';
import { renderReportPage } from './page.js';
import { gatherReportData } from './report-data.js';

const STATUS_OF: Partial<Record<AppError['kind'], number>> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  failed_precondition: 409,
};

const text = (status: number, body: string) => ({ status, contentType: 'text/plain; charset=utf-8', body: `${body}\n` });

/**
 * The tenant comes from `Authorization: Bearer <token>` exactly as for gRPC calls: with tokens configured a
 * missing or unknown token gets 401; with none (single-tenant) the page is the default tenant's.
 * Without `day`, the latest successfully learned day is shown; `tz` (IANA) sets the heatmaps' time zone.
 */
export function reportRoute(services: Pick<Services, 'learning' | 'virality' | 'tenancy' | 'tokens' | 'experiment'>, log: Logger): Route {
  return async (url: URL, req: IncomingMessage) => {
    try {
      const tenantId = await services.tokens.tenantFor(req.headers.authorization);
      let day = url.searchParams.get('day') ?? '';
      if (!day) {
        const { runs } = await services.learning.listRuns(tenantId, '', '', 100, '');
        day = runs.find((r) => r.status === 'succeeded')?.day ?? '';
        if (!day) return text(404, 'no learned day yet: run the daily learning first (e.g. "stakazo-ml learn --day YYYY-MM-DD")');
      }
      const timeZone = url.searchParams.get('tz') || undefined;
      const data = await gatherReportData(services, log, tenantId, day, new Date(), { timeZone });
      return { contentType: 'text/html; charset=utf-8', body: renderReportPage(data, { timeZoneChoice: true }) };
    } catch (err) {
      const status = err instanceof AppError ? STATUS_OF[err.kind] : undefined;
      if (status) return text(status, err instanceof AppError ? err.message : '');
      throw err;
    }
  };
}
