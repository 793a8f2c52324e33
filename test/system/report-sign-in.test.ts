// A person with a tenant token opens the report in a browser: headless Chromium (no Authorization header, as a
// browser has none) gets the sign-in form, signs in with the token, and sees the report; the cookie is HttpOnly and
// SameSite=Strict; a wrong token is refused on the form. Screenshots at desktop and phone size go to the folder
// REPORT_SCREENSHOTS names (else a temporary one, printed).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '../../src/demo/seed.js';
import { PAGE_CSP } from '../../src/report/page.js';
import { TenancyRepository } from '../../src/tenancy/tenancy.repository.js';
import { TenancyService } from '../../src/tenancy/tenancy.service.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/chromium.js';
import { BACKEND, startTestServer, uniq, type TestServer } from '../helpers/server.js';

describe(`report page in a browser, signed in with a token (${BACKEND})`, function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser | undefined;
  let tenant: string;
  let token: string;
  let day: string;
  let base: string;
  const shots = process.env.REPORT_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'stakazo-report-shots-'));

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: no ${CHROMIUM} (bash scripts/install-test-deps.sh installs it)`);
      this.skip();
    }
    server = await startTestServer();
    base = `http://127.0.0.1:${server.running.httpPort}`;
    tenant = uniq('signin');
    const summary = await seedDemo(server.running.services, server.config, { tenantId: tenant, days: 2, postsPerDay: 20 }, { phase: () => () => undefined });
    await server.running.services.learning.backfill(tenant, summary.startDay, summary.lastObservedDay, 'all');
    day = summary.lastObservedDay;
    ({ token } = await new TenancyService(new TenancyRepository(server.running.db)).createToken(tenant, 'sign-in test'));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    if (server) {
      await new TenancyRepository(server.running.db).deleteTokensOf(tenant);
      await server.stop();
    }
  });

  async function signIn(page: Page, withToken: string): Promise<void> {
    const form = await page.goto(`${base}/report?day=${day}`);
    expect(form?.status()).to.equal(401);
    expect(form?.headers()['content-security-policy']).to.contain("default-src 'none'");
    await page.fill('input[name=token]', withToken);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
  }

  for (const [name, viewport, isMobile] of [
    ['desktop', { width: 1280, height: 900 }, false],
    ['phone', { width: 390, height: 844 }, true],
  ] as const) {
    it(`signs in with the token and shows the report (${name})`, async () => {
      const context = await browser!.newContext({ viewport, isMobile });
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await signIn(page, token);
      expect(page.url()).to.equal(`${base}/report?day=${day}`);
      await page.waitForSelector('body[data-charts-drawn]');
      expect(await page.locator('h1').first().textContent()).to.match(/report/i);
      const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      expect(csp).to.equal(PAGE_CSP);
      const [cookie] = await context.cookies();
      expect(cookie).to.include({ name: 'stakazo_report_token', httpOnly: true, sameSite: 'Strict', path: '/report' });
      // Only this service was asked for anything: the form, the sign-in and the page.
      expect(
        requests.every((url) => url.startsWith(base)),
        requests.join('\n'),
      ).to.equal(true);
      await page.screenshot({ path: join(shots, `report-${name}.png`), fullPage: false });
      await context.close();
    });
  }

  it('refuses a wrong token on the form, and a browser without a token never sees the data', async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    await signIn(page, 'stk_not-a-token');
    expect(await page.locator('.reason').textContent()).to.contain('not valid');
    expect(await context.cookies()).to.deep.equal([]);
    expect(await page.content()).to.not.contain(tenant);
    await context.close();
    console.log(`      screenshots: ${shots}`);
  });
});
