// Math.min/max/hypot with a spread array pass one argument per element: past a few hundred thousand they throw
// "Maximum call stack size exceeded" (the daily learning run over 1,000,000 records failed so). src/domain/numbers.ts
// has loops for them; this keeps the spread form out of the sources, whatever the array's size looks like today.
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { euclideanNorm, extent } from '../../src/domain/numbers.js';

const SPREAD_CALL = /Math\.(min|max|hypot)\(\s*\.\.\./;

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'gen') yield* sources(path);
    } else if (name.endsWith('.ts')) yield path;
  }
}

describe('no argument spread of data-sized arrays', () => {
  it('src/ never calls Math.min/max/hypot with a spread array', () => {
    const found = [...sources('src')].flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .flatMap((line, i) => (SPREAD_CALL.test(line) && !/^\s*(\/\/|\*)/.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found, 'use extent() / euclideanNorm() from src/domain/numbers.ts').to.deep.equal([]);
  });

  it('extent and euclideanNorm handle a million values, and none', () => {
    const many = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_003);
    expect(() => Math.max(...many)).to.throw(RangeError);
    const sorted = [...many].sort((a, b) => a - b);
    expect(extent(many)).to.deep.equal({ min: sorted[0], max: sorted.at(-1) });
    expect(extent([])).to.deep.equal({ min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY });
    expect(euclideanNorm(new Float32Array(1_000_000).fill(1))).to.equal(1000);
    expect(euclideanNorm([3, 4])).to.equal(5);
  });
});
