import { OperationalError } from './errors.js';

/**
 * Reads a stream to its end, up to `limit` bytes and `timeoutMs` milliseconds. A terminal gives ''
 * at once: a person who types `baton hook stop` must not be left waiting. A stream that is still open
 * after the time (a client that never closes the hook's input) is an error, never a hang.
 */
export function readStream(stream: NodeJS.ReadableStream & { isTTY?: boolean; destroy?: () => void }, limit: number, timeoutMs: number): Promise<string> {
  if (stream.isTTY) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error) => {
      clearTimeout(timer);
      stream.removeAllListeners('data');
      stream.removeAllListeners('end');
      // An open standard input keeps the process alive; it is not read any further.
      stream.destroy?.();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(() => finish(new OperationalError(`the input was still open after ${timeoutMs / 1000} seconds`)), timeoutMs);
    stream.on('data', (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > limit) finish(new OperationalError(`the input is larger than ${limit} bytes`));
      else chunks.push(bytes);
    });
    stream.on('end', () => finish());
    stream.on('error', (error: Error) => finish(error));
  });
}
