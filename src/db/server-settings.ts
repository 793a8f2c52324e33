// The Postgres settings every connection of the service starts with, sent in the startup packet (no extra round
// trip), after any `options` the URL carries itself.
//
// jit=off: the service's statements are short, and JIT compilation costs 100–800 ms whenever a plan's estimated cost
// passes jit_above_cost — which a statement that turns a plan node off (enable_nestloop=off costs 10¹⁰) always
// does: an empty day's read took 0.35–0.8 s on Postgres, 0.3 s of it compiling (EXPLAIN ANALYZE), against ~1 ms run.

/**
 * The connection string and `options` parameter for `url`: the URL's own options, then ours (later -c settings
 * win). NOTE: node-postgres lets a URL's parameters override the explicit ones, so `options` leaves the URL.
 */
export function withServerSettings(url: string, ...settings: string[]): { connectionString: string; options: string } {
  let own = '';
  let connectionString = url;
  try {
    const parsed = new URL(url);
    own = parsed.searchParams.get('options') ?? '';
    if (parsed.searchParams.has('options')) {
      parsed.searchParams.delete('options');
      connectionString = parsed.toString();
    }
  } catch {
    // NOTE: not a URL (a libpq keyword string): left to the driver as it is; ours still apply.
  }
  return { connectionString, options: [own, '-c jit=off', ...settings.map((s) => `-c ${s}`)].filter(Boolean).join(' ') };
}
