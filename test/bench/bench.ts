import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBoard } from './bench-board.js';
import { benchVerify } from './bench-verify.js';
import { formatMeasurement } from './measure.js';

/**
 * `npm run bench`: speed targets measured as ratios within one run on this machine, never as a
 * timed test. Each subject alternates with its floor, the work git itself must do.
 */
const runs = Number(process.env.BENCH_RUNS ?? 7);
// Built into dist/bench.mjs, beside the baton.mjs it measures.
const baton = path.join(path.dirname(fileURLToPath(import.meta.url)), 'baton.mjs');

console.log(`baton benchmarks (${runs} runs each, medians; node ${process.version})\n`);
console.log(formatMeasurement(await benchVerify(baton, runs), 3));
console.log('');
const [cli, inProcess] = await benchBoard(baton, runs);
if (cli) console.log(formatMeasurement(cli, 1.5));
console.log('');
if (inProcess) console.log(formatMeasurement(inProcess, 1.5));
