import { execa } from 'execa';
import type { Board } from '../../scripts/board/board.js';
import { readBoard } from '../../scripts/board/read-board.js';
import { openRepo } from '../../scripts/lib/repo.js';
import { statusJson } from '../helpers/slice-repo.js';
import { git, GIT_ENV, gitdir } from '../helpers/testdir.js';
import { floorRun, measure, median, time, type Floor, type Measurement, type Start } from './measure.js';

const RELEASES = 5;
const TRACKS = 20;
const SLICES = 20;

const releaseId = (r: number) => `2026-11-${String(10 + r).padStart(2, '0')}-release${r}`;
const trackId = (t: number) => `T${t + 1}-track${t}`;
const sliceId = (t: number, s: number) => `S${t * SLICES + s + 1}-slice${s}`;

/**
 * 5 releases x 20 tracks x 20 slices: main holds every release as planned, each release has its
 * release-wt branch, and each of the 100 track branches has a commit moving its 20 slices on.
 * Written with one `git fast-import` stream, because a hundred branches by porcelain take minutes.
 */
async function largeBoardRepo(): Promise<{ dir: string; floorRequests: string }> {
  const dir = await gitdir({ 'README.md': '# bench\n' });
  const lines: string[] = [];
  const file = (path: string, content: string) => lines.push(`M 100644 inline ${path}`, `data ${Buffer.byteLength(content)}`, content);
  const commit = (ref: string, from: string, message: string) => lines.push(`commit ${ref}`, 'committer Bench <bench@example.com> 1763719200 +0000', `data ${message.length}`, message, `from ${from}`);
  commit('refs/heads/main', 'refs/heads/main^0', 'plan');
  const floor: string[] = [];
  for (let r = 0; r < RELEASES; r += 1) {
    const rel = releaseId(r);
    const tracks = Array.from({ length: TRACKS }, (_, t) => `  - id: ${trackId(t)}\n    slices: [${Array.from({ length: SLICES }, (__, s) => sliceId(t, s)).join(', ')}]\n    depends_on: []\n    state: in_progress`);
    file(`docs/release/${rel}/index.md`, `---\nrelease: ${rel}\nintegration_branch: main\ntracks:\n${tracks.join('\n')}\n---\n# ${rel}\n`);
    for (let t = 0; t < TRACKS; t += 1) {
      for (let s = 0; s < SLICES; s += 1) {
        const dirPath = `docs/release/${rel}/${sliceId(t, s)}`;
        file(`${dirPath}/status.json`, statusJson({ slice_id: sliceId(t, s), release: rel, track: trackId(t), state: 'planned' }));
        file(`${dirPath}/spec.md`, `# ${sliceId(t, s)}\n`);
        floor.push(`release-wt/${rel}:${dirPath}/status.json`);
      }
    }
  }
  for (let r = 0; r < RELEASES; r += 1) {
    const rel = releaseId(r);
    lines.push(`reset refs/heads/release-wt/${rel}`, 'from refs/heads/main');
    for (let t = 0; t < TRACKS; t += 1) {
      commit(`refs/heads/track/${rel}/${trackId(t)}`, 'refs/heads/main', `work on ${trackId(t)}`);
      for (let s = 0; s < SLICES; s += 1) {
        const path = `docs/release/${rel}/${sliceId(t, s)}/status.json`;
        file(path, statusJson({ slice_id: sliceId(t, s), release: rel, track: trackId(t), state: s < 10 ? 'verified' : 'in_progress' }));
        floor.push(`track/${rel}/${trackId(t)}:${path}`);
      }
    }
  }
  await execa('git', ['fast-import', '--quiet', '--force'], { cwd: dir, input: `${lines.join('\n')}\n`, env: GIT_ENV });
  await git(dir, 'reset', '--quiet', '--hard', 'main');
  return { dir, floorRequests: `${floor.join('\n')}\n` };
}

export async function benchBoard(batonScript: string, runs: number, starts: Start[]): Promise<Measurement[]> {
  const { dir, floorRequests } = await largeBoardRepo();
  const count = floorRequests.trim().split('\n').length;
  const floor: Floor = { label: `git cat-file --batch of the same ${count} status files`, commands: [{ command: ['git', 'cat-file', '--batch'], input: floorRequests }], cwd: dir };
  // Every slice, and each from its track branch: half of each track verified there, half in progress.
  const check = (board: Board) =>
    board.releases.length === RELEASES &&
    board.releases.every(
      (release) =>
        release.slices.length === TRACKS * SLICES &&
        release.slices.every((slice) => slice.source?.startsWith('track/')) &&
        release.counts.verified === (TRACKS * SLICES) / 2 &&
        release.counts.in_progress === (TRACKS * SLICES) / 2,
    );
  const cli: Measurement[] = [];
  for (const start of starts) {
    cli.push(
      await measure({
        name: `baton board --json, ${RELEASES} releases x ${TRACKS} tracks x ${SLICES} slices (${RELEASES * (TRACKS + 1)} branches), ${start.name}`,
        runs,
        subject: { label: 'baton board --json (Node start-up included)', command: ['node', batonScript, 'board', '--json'], cwd: dir, env: start.env, expectExit: [1], check: (stdout) => check(JSON.parse(stdout) as Board) },
        floor,
      }),
    );
  }
  // The same reading in this process, without Node's start-up: the board's own cost against git's.
  if (!check(await readBoard(await openRepo(dir, {})))) throw new Error('readBoard() did not read the generated board as expected.');
  const inProcess: number[] = [];
  const floorTimes: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    inProcess.push(await time(async () => void (await readBoard(await openRepo(dir, {})))));
    floorTimes.push(await time(async () => floorRun(floor)));
  }
  const subjectMs = median(inProcess);
  const floorMs = median(floorTimes);
  return [
    ...cli,
    { name: 'readBoard() in process (what the board does, without Node start-up)', subjectLabel: 'readBoard()', floorLabel: floor.label, subjectMs, floorMs, ratio: subjectMs / floorMs },
  ];
}
