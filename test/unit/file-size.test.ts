// No hand-written file under src/ grows past 400 lines (generated code aside): a file that long holds more than one
// concern, and the walls' roles are only as clear as the files they name.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';

const MAX_LINES = 400;

/** The TypeScript files under `dir`, recursively, except src/gen. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === join('src', 'gen') ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('source files', () => {
  it(`are at most ${MAX_LINES} lines each (src/, generated code aside)`, () => {
    const files = sourceFiles('src');
    expect(files.length).to.be.greaterThan(100);
    const long = files.map((file) => ({ file, lines: readFileSync(file, 'utf8').split('\n').length - 1 })).filter((f) => f.lines > MAX_LINES);
    expect(long, 'split these by concern').to.deep.equal([]);
  });
});
