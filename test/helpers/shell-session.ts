// One bash process fed block after block, as a reader pastes a document's blocks into one terminal: shell variables
// and the working folder carry over from block to block. Each block runs from a file (`source`, stdin from
// /dev/null so no command eats the next block), with an ERR trap that reports every failed command with its line.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DONE = '__STAKAZO_BLOCK_DONE__';
const FAILED = '__STAKAZO_COMMAND_FAILED__';

export interface FailedCommand {
  /** 1-based line within the block. */
  line: number;
  command: string;
  status: number;
}

export interface BlockRun {
  stdout: string;
  /** What the block wrote to stderr, without the session's own markers. */
  stderr: string;
  failed: FailedCommand[];
}

export class ShellSession {
  private readonly bash: ChildProcessWithoutNullStreams;
  private stdout = '';
  private stderr = '';
  private wake: (() => void) | undefined;
  private blocks = 0;

  constructor(
    private readonly cwd: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.bash = spawn('bash', ['--noprofile', '--norc'], { cwd, env });
    this.bash.stdout.on('data', (d) => this.take('stdout', String(d)));
    this.bash.stderr.on('data', (d) => this.take('stderr', String(d)));
    this.bash.stdin.write(`set -E -o pipefail\ntrap 'echo "${FAILED} $? $LINENO $BASH_COMMAND" >&2' ERR\n`);
  }

  private take(stream: 'stdout' | 'stderr', text: string): void {
    this[stream] += text;
    this.wake?.();
  }

  /** Runs `code` in the session and returns its output and every command that failed. */
  async run(code: string): Promise<BlockRun> {
    const file = join(this.cwd, `.docs-block-${++this.blocks}.sh`);
    writeFileSync(file, `${code}\n`);
    this.stdout = '';
    this.stderr = '';
    this.bash.stdin.write(`source ${JSON.stringify(file)} </dev/null\necho ${DONE}; echo ${DONE} >&2\n`);
    while (!(this.stdout.includes(DONE) && this.stderr.includes(DONE))) {
      if (this.bash.exitCode !== null) throw new Error(`the shell exited (${this.bash.exitCode}) during the block:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    const failed: FailedCommand[] = [];
    const stderrLines: string[] = [];
    for (const line of this.stderr.slice(0, this.stderr.indexOf(DONE)).split('\n')) {
      const marker = new RegExp(`^${FAILED} (\\d+) (\\d+) (.*)$`).exec(line);
      // NOTE: the trap also fires for the `source` of a block whose last command failed: that one is already counted.
      if (marker && !marker[3].startsWith('source ')) failed.push({ status: Number(marker[1]), line: Number(marker[2]), command: marker[3] });
      else if (!marker) stderrLines.push(line);
    }
    return { stdout: this.stdout.slice(0, this.stdout.indexOf(DONE)), stderr: stderrLines.join('\n'), failed };
  }

  close(): void {
    this.bash.stdin.end();
    this.bash.kill();
  }
}
