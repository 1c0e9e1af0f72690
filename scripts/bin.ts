import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/**
 * The `baton` command: runs the program beside it (baton-program.cjs) from a V8 code cache.
 *
 * Compiling the 640 KB program costs every command 20 to 25 ms, a tenth of a large board. V8 can
 * instead take the code it compiled in an earlier run. Node 22 keeps such a cache itself
 * (module.enableCompileCache); Node 20 does not, so baton keeps one, in the user's cache folder,
 * named after the program's content and V8's version. A missing, unreadable or foreign cache only
 * means compiling as usual: V8 checks its own version, flags and the source length, and the name
 * covers the content. Nothing here may stop the program from running.
 */

type ProgramModule = { exports: { main: () => Promise<void> } };

const program = path.join(path.dirname(fileURLToPath(import.meta.url)), 'baton-program.cjs');
const source = readIfPresent(program)?.toString('utf8');
if (source === undefined) {
  process.stderr.write(`baton: ${program} is missing or unreadable.\nFix: install baton again (npx baton-install), or run npm run build in a clone of baton.\n`);
  process.exit(2);
}
const cacheFile = codeCacheFile(process.env, source);
const cached = cacheFile === undefined ? undefined : readIfPresent(cacheFile);
// The CommonJS module wrapper, written out so that the cached code is for exactly this text.
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: program, cachedData: cached });
if (cacheFile !== undefined && (cached === undefined || script.cachedDataRejected)) {
  // Saved after the run, so it also holds the functions V8 compiled only when they were first called.
  process.once('exit', () => saveCodeCache(script, cacheFile));
}
const loaded = { exports: {} } as ProgramModule;
(script.runInThisContext() as (...args: unknown[]) => void)(loaded.exports, createRequire(program), loaded, program, path.dirname(program));
await loaded.exports.main();

/** `$XDG_CACHE_HOME/baton/…`, else `$HOME/.cache/baton/…`; undefined (no cache) without either. */
function codeCacheFile(env: NodeJS.ProcessEnv, text: string): string | undefined {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : env.HOME ? path.join(env.HOME, '.cache') : undefined;
  if (base === undefined) return undefined;
  const content = createHash('sha1').update(text).digest('hex').slice(0, 16);
  return path.join(base, 'baton', `baton-program-${content}-v8-${process.versions.v8}-${process.arch}.cache`);
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function saveCodeCache(compiled: vm.Script, file: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // Written aside and renamed, so a baton starting meanwhile never reads half a file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, compiled.createCachedData(), { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // A read-only or full disk: the next run compiles again, as it would without a cache.
  }
}
