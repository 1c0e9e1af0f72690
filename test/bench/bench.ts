import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBoard, largeBoardRepo } from './bench-board.js';
import { benchBrief } from './bench-brief.js';
import { benchVerify } from './bench-verify.js';
import { formatMeasurement, type Start } from './measure.js';

/**
 * `npm run bench`: speed targets measured as ratios within one run on this machine, never as a
 * timed test. Each subject alternates with its floor, the work git itself must do.
 */
const runs = Number(process.env.BENCH_RUNS ?? 7);
// Built into dist/bench.mjs, beside the baton.mjs it measures.
const baton = path.join(path.dirname(fileURLToPath(import.meta.url)), 'baton.mjs');

// The launcher keeps a V8 code cache of the program in $XDG_CACHE_HOME/baton (scripts/bin.ts). Every
// run after a user's first finds it; a first run, or one with no cache folder, compiles the program.
const searchPath = process.env.PATH ?? '';
const starts: Start[] = [
  { name: 'with its code cache', env: { PATH: searchPath, XDG_CACHE_HOME: await mkdtemp(path.join(tmpdir(), 'baton-bench-cache-')) } },
  { name: 'without a code cache', env: { PATH: searchPath } },
];

console.log(`baton benchmarks (${runs} runs each, medians; node ${process.version})\n`);
for (const measurement of await benchVerify(baton, runs, starts)) console.log(`${formatMeasurement(measurement, 3)}\n`);
const boardRepo = await largeBoardRepo();
const board = await benchBoard(baton, runs, starts, boardRepo);
console.log(board.map((measurement) => formatMeasurement(measurement, 1.5)).join('\n\n'));
// A brief reads one release's board and every receipt, then loads the tokenizer: a looser target.
const brief = await benchBrief(baton, runs, starts, boardRepo);
console.log(`\n${brief.map((measurement) => formatMeasurement(measurement, 3)).join('\n\n')}`);
