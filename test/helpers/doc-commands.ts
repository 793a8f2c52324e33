// Reads the shell blocks out of a Markdown file as a reader would copy them: every ```sh / ```bash / ```shell block,
// in order, with what its comments say about how it runs. A block is run as written; its comments may say
// `# not run by the docs test: <reason>` (skipped, the reason shown), `# with the server stopped` (the embedded
// database has one process at a time: the test stops the server before the block and starts it again after), and
// `# fails: CODE …` once per command that is meant to fail with that gRPC code.
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface DocBlock {
  /** Markdown file and 1-based line of the block's first line of code (for failure messages). */
  where: string;
  /** 1-based line in the Markdown file of the block's first line of code. */
  firstLine: number;
  /** The block's code, as written. */
  code: string;
  /** Why the docs test does not run it (`# not run by the docs test: …`), if it says so. */
  notRunBecause?: string;
  /** Whether it needs the server stopped (`# with the server stopped`). */
  serverStopped: boolean;
  /** gRPC codes of the commands meant to fail (`# fails: INVALID_ARGUMENT …` or `# fails: InvalidArgument …`), in order. */
  expectedFailures: string[];
}

const SHELL_FENCE = /^```(sh|bash|shell)\s*$/;

/** Every shell block of `markdownPath`, in order. */
export function shellBlocks(markdownPath: string, displayName: string): DocBlock[] {
  const lines = readFileSync(markdownPath, 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!SHELL_FENCE.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    const code = lines.slice(start, end).join('\n');
    blocks.push({
      where: `${displayName}:${start + 1}`,
      firstLine: start + 1,
      code,
      notRunBecause: /#\s*not run by the docs test:\s*(.+)$/m.exec(code)?.[1].trim(),
      serverStopped: /^#\s*with the server stopped\b/m.test(code),
      expectedFailures: [...code.matchAll(/#\s*fails:\s*([A-Za-z_]+)/g)].map((m) => m[1]),
    });
    i = end;
  }
  return blocks;
}

/** `INVALID_ARGUMENT`, `InvalidArgument` and `invalid_argument` all become `invalidargument` (grpcurl prints the second). */
export function normaliseCode(code: string): string {
  return code.replaceAll('_', '').toLowerCase();
}

/** The grpcurl binary: $GRPCURL, else .tools/bin/grpcurl (scripts/install-go-tools.sh), else one on PATH. */
export function findGrpcurl(repoRoot: string): string | undefined {
  if (process.env.GRPCURL) return existsSync(process.env.GRPCURL) ? process.env.GRPCURL : undefined;
  const candidates = [join(repoRoot, '.tools', 'bin', 'grpcurl'), ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'grpcurl'))];
  return candidates.find((path) => existsSync(path));
}
