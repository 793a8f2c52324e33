// Progress on stderr: a redrawn bar with ETA on a terminal, a plain line per step (or per 10 %) in CI logs.

/** Where progress goes; `isTTY` decides between the bar and plain lines. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const BAR_WIDTH = 24;
/** Above this many steps, plain output prints only every 10 %. */
const PLAIN_EVERY_STEP_UP_TO = 50;

/** Formats a duration in seconds as `42s`, `3m05s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One phase of work with a known number of steps. */
export class Progress {
  private done = 0;
  private readonly startedMs: number;
  private lastPlainDecile = -1;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.startedMs = nowMs();
  }

  /** Marks `steps` more steps done; `detail` (e.g. the day) is shown beside the count. */
  tick(detail = '', steps = 1): void {
    this.done = Math.min(this.total, this.done + steps);
    if (this.stream.isTTY) this.drawBar(detail);
    else this.plainLine(detail);
  }

  /** Ends the phase with a summary line. */
  finish(summary: string): void {
    const elapsed = formatDuration((this.nowMs() - this.startedMs) / 1000);
    this.stream.write(`${this.stream.isTTY ? '\r\x1b[2K' : ''}${this.label}: ${summary} (${elapsed})\n`);
  }

  private eta(): string {
    if (this.done === 0) return '';
    const elapsedS = (this.nowMs() - this.startedMs) / 1000;
    return ` ETA ${formatDuration((elapsedS / this.done) * (this.total - this.done))}`;
  }

  private drawBar(detail: string): void {
    const filled = this.total > 0 ? Math.round((this.done / this.total) * BAR_WIDTH) : BAR_WIDTH;
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${this.done}/${this.total}${this.eta()}${detail ? `  ${detail}` : ''}`;
    this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns ?? 120) - 1)}`);
  }

  private plainLine(detail: string): void {
    if (this.total > PLAIN_EVERY_STEP_UP_TO) {
      const decile = Math.floor((this.done / this.total) * 10);
      if (decile === this.lastPlainDecile) return;
      this.lastPlainDecile = decile;
    }
    this.stream.write(`${this.label} ${this.done}/${this.total}${this.eta()}${detail ? ` ${detail}` : ''}\n`);
  }
}
