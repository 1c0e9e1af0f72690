import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { REPO_ROOT } from './run.js';

/** A running `baton board serve`, started by a test. */
export interface BoardServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  port: number;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop: () => Promise<void>;
}

/** Starts the built `baton board serve --port 0` in `cwd` (or the `program` given) and waits for the address it prints. */
export async function startBoardServer(cwd: string, args: string[] = [], program = path.join(REPO_ROOT, 'dist/baton.mjs')): Promise<BoardServer> {
  const server: ResultPromise = execa('node', [program, 'board', 'serve', '--port', '0', ...args], {
    cwd,
    reject: false,
    env: { PATH: process.env.PATH ?? '' },
    extendEnv: false,
  });
  const url = await new Promise<string>((resolve, reject) => {
    let printed = '';
    server.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(printed.split('\n')[0] ?? '');
      if (match) resolve(match[0]);
    });
    void server.then((result) => reject(new Error(`board serve exited: ${String(result.stderr)}`)));
  });
  const stop = async () => {
    server.kill('SIGTERM');
    await server;
  };
  return { url, port: Number(new URL(url).port), stop };
}

/**
 * Where the dashboard tests write their screenshots: BATON_SCREENSHOTS, else a fixed folder under the
 * system's temporary folder, so the latest run's pictures are always in the same place.
 */
export async function screenshotFolder(): Promise<string> {
  const folder = process.env.BATON_SCREENSHOTS ?? path.join(tmpdir(), 'baton-dashboard-screenshots');
  await mkdir(folder, { recursive: true });
  return folder;
}
