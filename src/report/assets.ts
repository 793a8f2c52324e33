// The charting library inlined into the report page, read from node_modules once (no network at view time).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let cached: string[] | undefined;

/** Chart.js (UMD) and its matrix (heatmap) controller, as script texts in load order. */
export function chartLibraryScripts(): string[] {
  cached ??= [
    join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
    join(dirname(require.resolve('chartjs-chart-matrix')), 'chartjs-chart-matrix.min.js'),
  ].map((path) => {
    const text = readFileSync(path, 'utf8');
    // NOTE: inlined scripts end at the first "</script"; a library containing one would break the page.
    if (/<\/script/i.test(text)) throw new Error(`${path} contains "</script" and cannot be inlined`);
    return text;
  });
  return cached;
}
