import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { GIT_ENV } from '../helpers/testdir.js';

/**
 * A `git fast-import` process fed command by command. It writes thousands of commits in a second or
 * two, where porcelain takes minutes, and it tells a commit's id while the stream is still open
 * (`get-mark`, answered on `--cat-blob-fd`), so a later commit message can name an earlier commit.
 */
export interface FastImport {
  /** A commit on `ref` (on top of `from`, or of the branch's current tip), numbered `mark`. */
  commit(options: { ref: string; mark: number; from?: string; time: number; message: string; files: Record<string, string> }): void;
  /** Points `ref` at `from` (a ref or `:<mark>`). */
  reset(ref: string, from: string): void;
  /** The id of the commit numbered `mark`. */
  id(mark: number): Promise<string>;
  /** Ends the stream; resolves once every ref is written. */
  done(): Promise<void>;
}

export function fastImport(dir: string): FastImport {
  const child = spawn('git', ['fast-import', '--quiet', '--force', '--cat-blob-fd=1'], { cwd: dir, env: { ...process.env, ...GIT_ENV }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  // Answers come back in the order they were asked, one line each.
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(line.trim()));
  const write = (...lines: string[]) => void child.stdin.write(`${lines.join('\n')}\n`);
  const data = (text: string) => [`data ${Buffer.byteLength(text)}`, text];
  return {
    commit({ ref, mark, from, time, message, files }) {
      write(`commit ${ref}`, `mark :${mark}`, `committer Bench <bench@example.com> ${time} +0000`, ...data(message), ...(from ? [`from ${from}`] : []));
      for (const [file, content] of Object.entries(files)) write(`M 100644 inline ${file}`, ...data(content));
    },
    reset(ref, from) {
      write(`reset ${ref}`, `from ${from}`);
    },
    id(mark) {
      return new Promise((resolve) => {
        waiting.push(resolve);
        write(`get-mark :${mark}`);
      });
    },
    async done() {
      child.stdin.end();
      const code = await exited;
      if (code !== 0) throw new Error(`git fast-import failed (exit ${code}): ${stderr}`);
    },
  };
}
