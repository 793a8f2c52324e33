// docs/architecture.md shows the walls as they are: its table of roles is what scripts/walls-doc.mjs generates from
// .dependency-cruiser.cjs now (run `node scripts/walls-doc.mjs --write` after changing the config).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
// @ts-expect-error: a plain ES module script without typings
import { DOC, documentWithTable } from '../../scripts/walls-doc.mjs';

describe('walls doc', () => {
  it("docs/architecture.md's table of roles matches the walls' config", () => {
    const text = readFileSync(DOC as string, 'utf8');
    expect(text, 'run `node scripts/walls-doc.mjs --write`').to.equal((documentWithTable as (text: string) => string)(text));
  });
});
