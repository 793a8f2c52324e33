// The readable table (stdout, markdown) and the JSON result file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MachineInfo } from './machine.js';
import type { Measure } from './measure.js';
import type { BenchOptions, StageKey } from './options.js';
import type { TraceResult } from './trace.js';

export interface BackendResult {
  backend: string;
  database: string;
  pgvector: string;
  durationS: number;
  measures: Measure[];
  /** A stage that failed, with its error; the others still ran. */
  errors: { stage: string; message: string }[];
  /** Where a search's time goes (`--trace`). */
  trace?: TraceResult;
}

export interface BenchResult {
  startedAt: string;
  mode: BenchOptions['mode'];
  options: Omit<BenchOptions, 'databaseUrl' | 'outPath' | 'only'> & { only?: StageKey[] };
  machine: MachineInfo;
  backends: BackendResult[];
}

function format(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return x === undefined ? '' : String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 0.1) return x.toFixed(3);
  return x.toPrecision(3);
}

/** A markdown table of one back-end's measures. */
export function table(result: BackendResult): string {
  const lines = [
    `### ${result.backend} (${result.database}, pgvector ${result.pgvector}) — ${Math.round(result.durationS)} s`,
    '',
    '| measure | value | baseline (same run) | ratio | target | result |',
    '|---|---|---|---|---|---|',
  ];
  for (const m of result.measures) {
    const baseline = m.baseline === undefined ? '—' : `${format(m.baseline)} ${m.unit}${m.baselineName ? ` (${m.baselineName})` : ''}`;
    const verdict = m.pass === null ? 'info' : m.pass ? 'PASS' : '**MISS**';
    const note = m.note ? ` — ${m.note}` : '';
    lines.push(
      `| ${m.name}${note} | ${format(m.value)} ${m.unit} | ${baseline} | ${m.ratio === undefined ? '—' : format(m.ratio)} | ${m.target} | ${verdict} |`,
    );
  }
  for (const e of result.errors) lines.push(`| ${e.stage} failed: ${e.message.replace(/\|/g, '/').slice(0, 200)} | | | | | **ERROR** |`);
  return lines.join('\n');
}

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');

/** Writes the JSON result; returns its path. */
export function writeResult(result: BenchResult, outPath?: string): string {
  const path = outPath ?? join(RESULTS_DIR, `${result.startedAt.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}
