// `stakazo-ml seed-demo`: loads a realistic demo world into a tenant, then learns its days.
import { DEMO_COLLECTION } from '../demo/demo-names.js';
import { addDays } from '../domain/days.js';
import { DEFAULT_TENANT } from '../tenancy/tokens.js';
import { learnDays } from './learn.js';
import { Progress } from './progress.js';
import { integerOption, parseCommand, tenantOption, type Command } from './usage.js';

const HELP = `usage: stakazo-ml seed-demo [--days 28] [--posts-per-day 60] [--tenant T]

Loads a realistic, seeded demo world and learns it: content on TikTok, Instagram and YouTube published over the
last --days days (ending yesterday), each post with a 101-point retention curve and engagement, and one 64-d
embedding per content item in the collection "${DEMO_COLLECTION}". Planted patterns for learning to find:
Instagram loses ~70 % of viewers in the first 3 s, 15-30 s videos complete twice as often, each platform has a
peak hour (TikTok 19 h, Instagram 12 h, YouTube 21 h UTC), a CTA in the first 5 s lifts views.
Then it runs the daily learning for the last --days days, ending yesterday (re-running days learned before).

It works in-process on the database of DATABASE_URL / DATA_DIR; the tenant is created if needed. Seeding again
with the same options adds nothing twice. Progress goes to stderr.

options:
  --days N            days of posts, 1..90 (default 28)
  --posts-per-day N   posts per day, 1..1000 (default 60)
  --tenant T          the tenant to seed (default: "${DEFAULT_TENANT}")`;

export const seedDemoCommand: Command = {
  name: 'seed-demo',
  help: HELP,
  async run(args) {
    const parsed = parseCommand(args, { days: { type: 'string' }, 'posts-per-day': { type: 'string' }, tenant: { type: 'string' } }, HELP);
    if (!parsed) return 0;
    const days = integerOption(parsed.values.days, 'days', 28, 1, 90);
    const postsPerDay = integerOption(parsed.values['posts-per-day'], 'posts-per-day', 60, 1, 1000);
    const tenantId = tenantOption(parsed.values.tenant);
    const [{ withDatabase }, { seedDemo }] = await Promise.all([import('./common.js'), import('../demo/seed.js')]);
    return withDatabase(async (context) => {
      let current: Progress | undefined;
      const summary = await seedDemo(
        context.services,
        context.config,
        { tenantId, days, postsPerDay },
        {
          phase(name, total) {
            current?.finish('done');
            const progress = new Progress(name, total);
            current = progress;
            return (steps) => progress.tick('', steps);
          },
        },
      );
      current?.finish('done');
      // The last `days` days, ending yesterday: --days 7 learns 7 days (the first publication day, seen by only its
      // own posts' first hours, is not one of them).
      const runs = await learnDays(context, tenantId, addDays(summary.lastObservedDay, 1 - days), summary.lastObservedDay, 'all');
      const learned = runs.filter((r) => r.run.status === 'succeeded').length;
      const findings = runs.reduce((n, r) => n + (r.report?.insights.length ?? 0), 0);
      // The day to look at first: of the last week, the one with the most recommendations (the latest of equals).
      const lastWeek = runs.slice(-7);
      const showcase = lastWeek.reduce(
        (best, r) => ((r.report?.recommendations.length ?? -1) >= (best.report?.recommendations.length ?? -1) ? r : best),
        lastWeek[0],
      );
      process.stdout.write(
        [
          `seeded tenant "${tenantId}": ${summary.posts} posts published ${summary.startDay} .. ${summary.lastObservedDay}`,
          `metric records: ${summary.records.accepted} accepted, ${summary.records.duplicate} already there, ${summary.records.rejected} rejected`,
          `embeddings in "${DEMO_COLLECTION}": ${summary.embeddings.inserted} inserted, ${summary.embeddings.updated} updated`,
          `learned ${learned} of ${runs.length} days (${findings} findings in all)`,
          `next: stakazo-ml report --day ${showcase.run.day}${tenantId === DEFAULT_TENANT ? '' : ` --tenant ${tenantId}`} --out report.html`,
          '',
        ].join('\n'),
      );
      return learned === runs.length ? 0 : 1;
    });
  },
};
