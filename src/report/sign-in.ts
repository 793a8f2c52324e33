// Signing in to the report page from a browser, which cannot send an `Authorization` header: a small form posts the
// tenant's API token to /report/sign-in, which checks it and keeps it in a cookie the page's requests then carry.
// The cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it, so no cross-site
// request forgery), scoped to /report, and Secure when the service serves TLS. Each page view checks the token again,
// so a revoked token stops opening the page within AUTH_CACHE_MS, as for gRPC calls.
import type { IncomingMessage } from 'node:http';
import { escapeHtml } from './page.js';

/** The cookie that carries a signed-in browser's token. */
export const REPORT_COOKIE = 'stakazo_report_token';
/** How long a browser stays signed in (8 hours): a working day. */
export const SIGN_IN_MAX_AGE_S = 8 * 3600;
/** The sign-in page runs no script and loads nothing; its form posts only to this service. */
export const SIGN_IN_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
/** Largest sign-in body read (a token is 47 characters; the form adds a day). */
const MAX_BODY_BYTES = 4096;

/** The value of cookie `name` in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** The Set-Cookie value that signs a browser in with `token` (or out, with an empty token). */
export function signInCookie(token: string, secure: boolean): string {
  const maxAge = token ? SIGN_IN_MAX_AGE_S : 0;
  return `${REPORT_COOKIE}=${encodeURIComponent(token)}; Path=/report; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

/** Reads a small urlencoded form body (the sign-in form); undefined when it is too big. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_BODY_BYTES) return undefined;
  }
  return new URLSearchParams(body);
}

/** The sign-in page: why it is shown, and a form for the token; `day` is kept for after signing in. */
export function signInPage(reason: string, day: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(SIGN_IN_CSP)}">
<title>stakazo-ml report: sign in</title>
<style>
  body { font: 16px/1.45 system-ui, sans-serif; margin: 0; color: #111827; background: #f9fafb; }
  main { max-width: 440px; margin: 10vh auto; background: #fff; padding: 24px; border-radius: 8px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  h1 { font-size: 22px; margin: 0 0 8px; } p { color: #4b5563; }
  label { display: block; font-weight: 600; margin: 16px 0 6px; }
  input[type=password] { width: 100%; box-sizing: border-box; padding: 10px; font: inherit; border: 1px solid #9ca3af; border-radius: 6px; }
  button { margin-top: 16px; padding: 10px 18px; font: inherit; background: #2563eb; color: #fff; border: 0; border-radius: 6px; }
  .reason { color: #b91c1c; }
</style></head>
<body><main>
<h1>Learning report</h1>
<p class="reason">${escapeHtml(reason)}</p>
<form method="post" action="/report/sign-in">
  <input type="hidden" name="day" value="${escapeHtml(day)}">
  <label for="token">Your API token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" placeholder="stk_…" required>
  <button type="submit">Open the report</button>
</form>
<p>The token is the one your team's <code>stakazo-ml tokens create --tenant …</code> printed. This browser keeps it
for 8 hours, for this page only.</p>
</main></body></html>`;
}
