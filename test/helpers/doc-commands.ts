// Reads the grpcurl examples out of a Markdown file, as a reader would copy them: every command of the ```sh blocks
// (joined over `\` line ends, open quotes and heredocs), the shell variables set before it in its block, and the
// output the text shows under it (`# {...}` for an answer, `# ERROR:` … `#   Code: X` for a failure).
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface DocCommand {
  /** Markdown file and 1-based line of the command's first line (for failure messages). */
  where: string;
  /** The command as written, its lines joined by newlines. */
  command: string;
  /** `NAME=value` lines of the same block before the command (e.g. `E=stakazo.ml.v1.EmbeddingService`). */
  variables: string[];
  /** First JSON key of the documented answer (`# {"hits": …` gives `hits`), when the text shows one. */
  expectedKey?: string;
  /** The gRPC code name of a documented failure (`#   Code: InvalidArgument`). */
  expectedError?: string;
}

/** Whether a line leaves a single-quoted string open (shell rules: no escapes inside single quotes). */
function togglesQuote(line: string, open: boolean): boolean {
  let inside = open;
  let inDouble = false;
  for (const ch of line) {
    if (ch === "'" && !inDouble) inside = !inside;
    else if (ch === '"' && !inside) inDouble = !inDouble;
  }
  return inside;
}

/** Every grpcurl command of the ```sh blocks of `markdownPath`, in order. */
export function grpcurlCommands(markdownPath: string, displayName: string): DocCommand[] {
  const lines = readFileSync(markdownPath, 'utf8').split('\n');
  const commands: DocCommand[] = [];
  let inBlock = false;
  let variables: string[] = [];
  let current: DocCommand | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('```')) {
      inBlock = !inBlock && line.trim() === '```sh';
      variables = [];
      current = undefined;
      continue;
    }
    if (!inBlock) continue;
    if (/^[A-Z_]+=\S+$/.test(line)) {
      variables.push(line);
      continue;
    }
    if (line.startsWith('#') && current) {
      const key = /^# \{"(\w+)"/.exec(line)?.[1];
      if (key && !current.expectedKey && !current.expectedError) current.expectedKey = key;
      const code = /^#\s+Code: (\w+)/.exec(line)?.[1];
      if (code) current.expectedError = code;
      continue;
    }
    if (!line.startsWith('grpcurl ')) {
      if (line.trim() !== '') current = undefined;
      continue;
    }
    const start = i;
    const parts = [line];
    let quoteOpen = togglesQuote(line, false);
    const heredoc = /<<'?(\w+)'?\s*$/.exec(line)?.[1];
    while (i + 1 < lines.length && (quoteOpen || parts[parts.length - 1].endsWith('\\') || (heredoc && parts[parts.length - 1] !== heredoc))) {
      i++;
      parts.push(lines[i]);
      quoteOpen = togglesQuote(lines[i], quoteOpen);
    }
    current = { where: `${displayName}:${start + 1}`, command: parts.join('\n'), variables: [...variables] };
    commands.push(current);
  }
  return commands;
}

/** The grpcurl binary: $GRPCURL, else .tools/bin/grpcurl (scripts/install-go-tools.sh), else one on PATH. */
export function findGrpcurl(repoRoot: string): string | undefined {
  if (process.env.GRPCURL) return existsSync(process.env.GRPCURL) ? process.env.GRPCURL : undefined;
  const candidates = [join(repoRoot, '.tools', 'bin', 'grpcurl'), ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'grpcurl'))];
  return candidates.find((path) => existsSync(path));
}
