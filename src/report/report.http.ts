// GET /report?day=YYYY-MM-DD on the HTTP side: the learning report page of the caller's tenant; POST
// /report/sign-in: a browser's way in (see sign-in.ts).
import type { IncomingMessage } from 'node:http';
import type { Services } from '../app.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Route } from '../observability/http.js';
import { renderReportPage } from './page.js';
import { gatherReportData } from './report-data.js';
import { cookieValue, readForm, REPORT_COOKIE, SIGN_IN_CSP, signInCookie, signInPage } from './sign-in.js';

const STATUS_OF: Partial<Record<AppError['kind'], number>> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  failed_precondition: 409,
};

const text = (status: number, body: string) => ({ status, contentType: 'text/plain; charset=utf-8', body: `${body}\n` });

type ReportServices = Pick<Services, 'learning' | 'virality' | 'tenancy' | 'tokens' | 'experiment'>;

export interface ReportRouteOptions {
  /** The tenant a request names when it carries the admin token of the data folder (the CLI beside the server). */
  adminTenant?: (req: IncomingMessage, url: URL) => string | undefined;
  /** Mark the sign-in cookie Secure (the service serves TLS). */
  secureCookie?: boolean;
}

/** Whether the request comes from a browser page (it asks for HTML) rather than a script (curl, fetch). */
const wantsHtml = (req: IncomingMessage) => /text\/html/.test(req.headers.accept ?? '');

/**
 * The tenant comes from `Authorization: Bearer <token>` exactly as for gRPC calls, else from the sign-in cookie: with
 * tokens configured a missing or unknown token gets 401 (a browser gets the sign-in form); with none (single-tenant)
 * the page is the default tenant's. Without `day`, the latest successfully learned day is shown; `tz` (IANA) sets
 * the heatmaps' time zone.
 */
export function reportRoute(services: ReportServices, log: Logger, options: ReportRouteOptions = {}): Route {
  return async (url: URL, req: IncomingMessage) => {
    try {
      const cookieToken = cookieValue(req.headers.cookie, REPORT_COOKIE);
      const tenantId =
        options.adminTenant?.(req, url) ?? (await services.tokens.tenantFor(req.headers.authorization ?? (cookieToken ? `Bearer ${cookieToken}` : undefined)));
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
      if (status === 401 && wantsHtml(req)) return signInAnswer(401, err instanceof AppError ? signInReason(err, req) : '', url.searchParams.get('day') ?? '');
      if (status) return text(status, err instanceof AppError ? err.message : '');
      throw err;
    }
  };
}

/** What the sign-in page says: a browser that never signed in is asked to; a stale cookie is named. */
function signInReason(err: AppError, req: IncomingMessage): string {
  if (cookieValue(req.headers.cookie, REPORT_COOKIE)) return 'Your sign-in has expired or the token was revoked: sign in again.';
  return req.headers.authorization ? err.message : 'This service has API tokens: sign in with yours to see your report.';
}

function signInAnswer(status: number, reason: string, day: string, headers: Record<string, string> = {}) {
  return { status, contentType: 'text/html; charset=utf-8', body: signInPage(reason, day), headers: { 'content-security-policy': SIGN_IN_CSP, ...headers } };
}

/** POST /report/sign-in (form: token, day): checks the token, sets the cookie and goes to the report (303). */
export function signInRoute(services: Pick<Services, 'tokens'>, options: ReportRouteOptions = {}): Route {
  return async (_url: URL, req: IncomingMessage) => {
    const form = await readForm(req);
    const token = form?.get('token')?.trim() ?? '';
    const day = form?.get('day') ?? '';
    try {
      await services.tokens.tenantFor(`Bearer ${token}`);
    } catch (err) {
      if (err instanceof AppError && err.kind === 'unauthenticated')
        return signInAnswer(401, 'That token is not valid (or has been revoked): check it and try again.', day);
      throw err;
    }
    const location = /^\d{4}-\d{2}-\d{2}$/.test(day) ? `/report?day=${day}` : '/report';
    return {
      status: 303,
      contentType: 'text/plain; charset=utf-8',
      body: `signed in; see ${location}\n`,
      headers: { location, 'set-cookie': signInCookie(token, Boolean(options.secureCookie)) },
    };
  };
}
