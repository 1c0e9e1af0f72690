import { errnoCode } from './errors.js';

/**
 * `baton board --json | head` closes the pipe after a few lines. Node reports that as an EPIPE error
 * on stdout, which would crash the process with a stack trace, perhaps half-way through a change. The
 * reader has gone, so the rest of the output is dropped and the command carries on to its end.
 */
export function ignoreClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error) => {
      if (errnoCode(error) !== 'EPIPE') throw error;
    });
  }
}
