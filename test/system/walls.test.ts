// The walls reject what they claim to: a scratch copy of src/ gets one planted file per breach (each a kind of
// import the issue found passing the old deny-list, plus a file without a role and a cycle), dependency-cruiser runs
// once over it with the repository's .dependency-cruiser.cjs, and every planted file must be reported under the
// expected rule — while no file of the real tree is reported at all (the clean tree passes).
import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from '../helpers/process.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Breach {
  /** What the issue (or the design) says must fail. */
  what: string;
  /** The planted file (path under the scratch copy) and its text. */
  file: string;
  text: string;
  /** The rule that must name the planted file. */
  rule: string;
}

const BREACHES: Breach[] = [
  {
    what: 'a service imports a handler file (.grpc.ts)',
    file: 'src/embedding/planted.service.ts',
    text: "export { embeddingHandlers } from './embedding.grpc.js';\n",
    rule: 'not-in-allowed',
  },
  {
    what: 'a service imports a mapper',
    file: 'src/experiment/planted.service.ts',
    text: "export { experimentMessage } from './experiment.mapper.js';\n",
    rule: 'not-in-allowed',
  },
  {
    what: 'a repository imports a mapper',
    file: 'src/metrics/planted-mapper.repository.ts',
    text: "export { contentMessage } from './metrics.mapper.js';\n",
    rule: 'not-in-allowed',
  },
  {
    what: 'a repository imports the composition root (app.ts)',
    file: 'src/learning/planted-app.repository.ts',
    text: "export type { Services } from '../app.js';\n",
    rule: 'not-in-allowed',
  },
  {
    what: 'a plain domain file imports Session',
    file: 'src/domain/planted-session.ts',
    text: "export type { Session } from '../db/session.js';\n",
    rule: 'not-in-allowed',
  },
  {
    what: 'a plain file of an area imports openDb',
    file: 'src/embedding/planted-open-db.ts',
    text: "export { openDb } from '../db/connect.js';\n",
    rule: 'not-in-allowed',
  },
  {
    what: 'a mapper imports @grpc/grpc-js',
    file: 'src/metrics/planted.mapper.ts',
    text: "export { status } from '@grpc/grpc-js';\nexport type { MetricRecord } from '../gen/stakazo/ml/v1/metrics.js';\n",
    rule: 'not-in-allowed',
  },
  {
    what: "a *.types.ts re-exports generated types through a mapper (the area's own types would be the contract's)",
    file: 'src/metrics/planted.types.ts',
    text: "export type { MetricRecord } from './planted.mapper.js';\n",
    rule: 'not-in-allowed',
  },
  {
    what: 'a service imports grpc-health-check',
    file: 'src/metrics/planted-health.service.ts',
    text: "export { HealthImplementation } from 'grpc-health-check';\n",
    rule: 'not-in-allowed',
  },
  {
    what: 'a service imports @bufbuild/protobuf',
    file: 'src/metrics/planted-protobuf.service.ts',
    text: "export { fromBinary } from '@bufbuild/protobuf';\n",
    rule: 'not-in-allowed',
  },
  {
    what: 'a service imports db/work-scope',
    file: 'src/learning/planted-scope.service.ts',
    text: "export { runInScope } from '../db/work-scope.js';\n",
    rule: 'not-in-allowed',
  },
  {
    what: 'the CLI imports db/session',
    file: 'src/cli/planted-session.ts',
    text: "export { withSession } from '../db/session.js';\n",
    rule: 'not-in-allowed',
  },
  {
    what: "a service imports another area's repository (both in an area's subfolder)",
    file: 'src/metrics/ingest/planted-owner.service.ts',
    text: "export { PointRepository } from '../../embedding/points/point.repository.js';\n",
    rule: 'one-owner-per-table',
  },
  {
    what: 'virality imports best time (the grids both use live in learning/timing)',
    file: 'src/learning/virality/planted-best-time.service.ts',
    text: "export { BestTimeService } from '../best-time/best-time.service.js';\n",
    rule: 'timing-below-virality-and-best-time',
  },
  {
    what: 'a file without a role',
    file: 'src/planted-roleless.ts',
    text: "export { notFound } from './errors.js';\n",
    rule: 'every-file-has-a-role',
  },
  {
    what: 'a file without a role that imports nothing and nothing imports',
    file: 'src/planted/orphan.ts',
    text: 'export const ORPHAN = 1;\n',
    rule: 'no-orphan-without-a-role',
  },
  {
    what: 'an import cycle',
    file: 'src/domain/planted-cycle-a.ts',
    text: "import { B } from './planted-cycle-b.js';\nexport const A = () => B;\n",
    rule: 'no-circular',
  },
];
const CYCLE_PARTNER = { file: 'src/domain/planted-cycle-b.ts', text: "import { A } from './planted-cycle-a.js';\nexport const B = () => A;\n" };

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Runs dependency-cruiser over `dir`'s src/ with its config; the reported violations. */
async function cruise(dir: string): Promise<Violation[]> {
  const result = await runProcess(process.execPath, [DEPCRUISE, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], { cwd: dir });
  expect(result.stderr, 'dependency-cruiser wrote errors').to.not.match(/error|invalid/i);
  return (JSON.parse(result.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('walls (system): the allow-list rejects each planted breach', () => {
  let scratch: string;
  let violations: Violation[];

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'walls-'));
    cpSync(join(ROOT, 'src'), join(scratch, 'src'), { recursive: true });
    for (const file of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) cpSync(join(ROOT, file), join(scratch, file));
    symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(scratch, 'node_modules'));
    for (const { file, text } of [...BREACHES, CYCLE_PARTNER]) {
      mkdirSync(dirname(join(scratch, file)), { recursive: true });
      writeFileSync(join(scratch, file), text);
    }
    violations = await cruise(scratch);
  });

  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  for (const breach of BREACHES) {
    it(`rejects ${breach.what}`, () => {
      const reported = violations.filter((v) => v.from === breach.file || v.to === breach.file);
      expect(
        reported.map((v) => v.rule.name),
        `${breach.file} should break ${breach.rule}`,
      ).to.include(breach.rule);
    });
  }

  it('reports nothing in the files of the real tree (the clean tree passes)', () => {
    const planted = new Set([...BREACHES, CYCLE_PARTNER].map((b) => b.file));
    const elsewhere = violations.filter((v) => !planted.has(v.from) && !planted.has(v.to));
    expect(elsewhere.map((v) => `${v.from} → ${v.to} (${v.rule.name})`)).to.deep.equal([]);
  });
});
