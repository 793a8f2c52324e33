// A small PromQL evaluator for the subset the shipped Grafana dashboard uses, over two scrapes of a live /metrics:
// instant selectors read the second scrape; range selectors (rate, increase) read the change from the first to the
// second (no extrapolation, no counter resets: the test's server does not restart). Aggregations sum/max/min/avg
// with `by`, histogram_quantile, clamp_min, and `/` between vectors (one-to-one on equal label sets) or a scalar.
// Not a general PromQL: an expression outside the subset fails to parse, naming what it met.

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** One scrape of /metrics: every sample by its metric name, and when it was taken (seconds). */
export interface Scrape {
  atS: number;
  series: Map<string, Sample[]>;
}

/** Parses the Prometheus text exposition format; `extraLabels` (e.g. `instance`) are added as a scrape would. */
export function parseExposition(text: string, atS: number, extraLabels: Record<string, string> = {}): Scrape {
  const series = new Map<string, Sample[]>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`unreadable exposition line: ${line}`);
    const labels: Record<string, string> = { ...extraLabels };
    for (const [, name, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[name] = value.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
    }
    const list = series.get(match[1]) ?? [];
    list.push({ labels, value: Number(match[3]) });
    series.set(match[1], list);
  }
  return { atS, series };
}

type Value =
  | { kind: 'vector'; samples: Sample[] }
  | { kind: 'scalar'; value: number }
  | { kind: 'range'; samples: { labels: Record<string, string>; first: number; last: number; seconds: number }[] };

const key = (labels: Record<string, string>) =>
  JSON.stringify(
    Object.entries(labels)
      .filter(([name]) => name !== '__name__')
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );

class Parser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly scrapes: [Scrape, Scrape],
  ) {}

  evaluate(): Value {
    const value = this.expression();
    this.space();
    if (this.pos < this.text.length) this.fail('end of expression');
    return value;
  }

  private fail(expected: string): never {
    throw new Error(`PromQL subset: expected ${expected} at ${this.pos} in: ${this.text}`);
  }

  private space(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private take(token: string): boolean {
    this.space();
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  private expect(token: string): void {
    if (!this.take(token)) this.fail(`"${token}"`);
  }

  private identifier(): string {
    this.space();
    const match = /^[a-zA-Z_:][\w:]*/.exec(this.text.slice(this.pos));
    if (!match) this.fail('a name');
    this.pos += match[0].length;
    return match[0];
  }

  private labelList(): string[] {
    this.expect('(');
    const names: string[] = [];
    while (!this.take(')')) {
      names.push(this.identifier());
      this.take(',');
    }
    return names;
  }

  private expression(): Value {
    let left = this.term();
    while (this.take('/')) left = divide(left, this.term());
    return left;
  }

  private term(): Value {
    this.space();
    if (this.take('(')) {
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    const number = /^[0-9.]+(?:e-?[0-9]+)?/.exec(this.text.slice(this.pos));
    if (number) {
      this.pos += number[0].length;
      return { kind: 'scalar', value: Number(number[0]) };
    }
    const name = this.identifier();
    if (['sum', 'max', 'min', 'avg'].includes(name)) {
      const by = this.take('by') ? this.labelList() : undefined;
      this.expect('(');
      const inner = asVector(this.expression());
      this.expect(')');
      return aggregate(name, inner, by ?? (this.take('by') ? this.labelList() : []));
    }
    if (name === 'rate' || name === 'increase') {
      this.expect('(');
      const range = this.expression();
      this.expect(')');
      if (range.kind !== 'range') this.fail(`a range selector in ${name}()`);
      return {
        kind: 'vector',
        samples: range.samples.map((s) => ({ labels: s.labels, value: (s.last - s.first) / (name === 'rate' ? s.seconds : 1) })),
      };
    }
    if (name === 'histogram_quantile') {
      this.expect('(');
      const q = this.expression();
      this.expect(',');
      const buckets = asVector(this.expression());
      this.expect(')');
      if (q.kind !== 'scalar') this.fail('a quantile');
      return histogramQuantile(q.value, buckets);
    }
    if (name === 'clamp_min') {
      this.expect('(');
      const inner = asVector(this.expression());
      this.expect(',');
      const min = this.expression();
      this.expect(')');
      if (min.kind !== 'scalar') this.fail('a scalar minimum');
      return { kind: 'vector', samples: inner.samples.map((s) => ({ labels: s.labels, value: Math.max(s.value, min.value) })) };
    }
    return this.selector(name);
  }

  private selector(name: string): Value {
    const matchers: ((labels: Record<string, string>) => boolean)[] = [];
    if (this.take('{')) {
      while (!this.take('}')) {
        const label = this.identifier();
        this.space();
        const op = /^(=~|!~|!=|=)/.exec(this.text.slice(this.pos))?.[1];
        if (!op) this.fail('a label matcher');
        this.pos += op.length;
        this.space();
        const literal = /^"((?:[^"\\]|\\.)*)"/.exec(this.text.slice(this.pos));
        if (!literal) this.fail('a quoted label value');
        this.pos += literal[0].length;
        const value = literal[1].replace(/\\(.)/g, '$1');
        const regex = new RegExp(`^(?:${value})$`);
        matchers.push((labels) => {
          const actual = labels[label] ?? '';
          if (op === '=') return actual === value;
          if (op === '!=') return actual !== value;
          return regex.test(actual) === (op === '=~');
        });
        this.take(',');
      }
    }
    const [first, last] = this.scrapes;
    const pick = (scrape: Scrape) => (scrape.series.get(name) ?? []).filter((s) => matchers.every((m) => m(s.labels)));
    if (this.take('[')) {
      while (this.text[this.pos] !== ']' && this.pos < this.text.length) this.pos++;
      this.expect(']');
      const before = new Map(pick(first).map((s) => [key(s.labels), s.value]));
      return {
        kind: 'range',
        samples: pick(last)
          .filter((s) => before.has(key(s.labels)))
          .map((s) => ({ labels: s.labels, first: before.get(key(s.labels))!, last: s.value, seconds: last.atS - first.atS })),
      };
    }
    return { kind: 'vector', samples: pick(last) };
  }
}

function asVector(value: Value): { kind: 'vector'; samples: Sample[] } {
  if (value.kind !== 'vector') throw new Error(`PromQL subset: expected an instant vector, got a ${value.kind}`);
  return value;
}

function aggregate(op: string, input: { samples: Sample[] }, by: string[]): Value {
  const groups = new Map<string, { labels: Record<string, string>; values: number[] }>();
  for (const sample of input.samples) {
    const labels = Object.fromEntries(by.filter((l) => l in sample.labels).map((l) => [l, sample.labels[l]]));
    const group = groups.get(key(labels)) ?? { labels, values: [] };
    group.values.push(sample.value);
    groups.set(key(labels), group);
  }
  const reduce: Record<string, (v: number[]) => number> = {
    sum: (v) => v.reduce((a, b) => a + b, 0),
    max: (v) => Math.max(...v),
    min: (v) => Math.min(...v),
    avg: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  };
  return { kind: 'vector', samples: [...groups.values()].map((g) => ({ labels: g.labels, value: reduce[op](g.values) })) };
}

function divide(left: Value, right: Value): Value {
  if (right.kind === 'scalar') return { kind: 'vector', samples: asVector(left).samples.map((s) => ({ labels: s.labels, value: s.value / right.value })) };
  const denominators = new Map(asVector(right).samples.map((s) => [key(s.labels), s.value]));
  return {
    kind: 'vector',
    samples: asVector(left)
      .samples.filter((s) => denominators.has(key(s.labels)))
      .map((s) => ({ labels: s.labels, value: s.value / denominators.get(key(s.labels))! })),
  };
}

/** Prometheus's histogram_quantile: linear interpolation inside the bucket where the rank falls. */
function histogramQuantile(q: number, input: { samples: Sample[] }): Value {
  const groups = new Map<string, { labels: Record<string, string>; buckets: [number, number][] }>();
  for (const sample of input.samples) {
    const { le, ...labels } = sample.labels;
    if (le === undefined) continue;
    const group = groups.get(key(labels)) ?? { labels, buckets: [] };
    group.buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), sample.value]);
    groups.set(key(labels), group);
  }
  const samples: Sample[] = [];
  for (const { labels, buckets } of groups.values()) {
    buckets.sort((a, b) => a[0] - b[0]);
    const total = buckets.at(-1)![1];
    let value = Number.NaN;
    if (total > 0) {
      const rank = q * total;
      const index = buckets.findIndex(([, count]) => count >= rank);
      const [upper, count] = buckets[index];
      const [lower, below] = index > 0 ? buckets[index - 1] : [0, 0];
      value = upper === Number.POSITIVE_INFINITY ? lower : lower + ((upper - lower) * (rank - below)) / (count - below || 1);
    }
    samples.push({ labels, value });
  }
  return { kind: 'vector', samples };
}

/** Evaluates `expr` (Grafana's variables already replaced) over two scrapes; returns its samples. */
export function evaluate(expr: string, scrapes: [Scrape, Scrape]): Sample[] {
  const value = new Parser(expr, scrapes).evaluate();
  return value.kind === 'scalar' ? [{ labels: {}, value: value.value }] : asVector(value).samples;
}
