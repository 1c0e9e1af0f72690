import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/**
 * The `baton` command: runs the program beside it (baton-program.cjs) from a V8 code cache.
 *
 * Compiling the 640 KB program costs every command 20 to 25 ms, a tenth of a large board. V8 can
 * instead take the code it compiled in an earlier run. Node 22 keeps such a cache itself
 * (module.enableCompileCache); Node 20 does not, so baton keeps one in the user's cache folder. V8
 * checks a cache only against its own version, its flags and the source's length, and runs whatever
 * it is given, so the file is named after the program's content and V8's version, and it is used
 * only from a folder and a file that belong to this user and that nobody else may write. The first
 * run of each build writes it; a missing, damaged or foreign cache only means compiling as usual.
 * Nothing here may stop the program from running.
 */

type ProgramModule = { exports: { main: () => Promise<void> } };

const KEPT_CACHES = 4;

const program = path.join(path.dirname(fileURLToPath(import.meta.url)), 'baton-program.cjs');
const source = readIfPresent(program)?.toString('utf8');
if (source === undefined) {
  process.stderr.write(`baton: ${program} is missing or unreadable.\nFix: install baton again (npx baton-install), or run npm run build in a clone of baton.\n`);
  // An agent client reads a stop hook's exit 2 as "block": a broken install must not hold a session.
  process.exit(process.argv[2] === 'hook' ? 1 : 2);
}
const cacheFile = codeCacheFile(process.env, source);
const cached = cacheFile === undefined ? undefined : readPrivateCache(cacheFile);
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

/** The cache file, when it and its folder are this user's alone; a symbolic link is not followed. */
function readPrivateCache(file: string): Buffer | undefined {
  try {
    const folder = lstatSync(path.dirname(file));
    const cache = lstatSync(file);
    if (!folder.isDirectory() || !cache.isFile() || !isPrivate(folder) || !isPrivate(cache)) return undefined;
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Owned by the user running baton, and writable by nobody else. */
function isPrivate(stats: Stats): boolean {
  return isOwn(stats) && (stats.mode & 0o022) === 0;
}

function isOwn(stats: Stats): boolean {
  return process.getuid !== undefined && stats.uid === process.getuid();
}

/** The folder itself or its closest ancestor that exists. */
function nearestExisting(folder: string): Stats {
  for (let current = folder; ; current = path.dirname(current)) {
    try {
      return statSync(current);
    } catch (error) {
      if (current === path.dirname(current)) throw error;
    }
  }
}

function saveCodeCache(compiled: vm.Script, file: string): void {
  const folder = path.dirname(file);
  // Written aside and renamed, so a baton starting meanwhile never reads half a file.
  const partial = `${file}.${process.pid}.partial`;
  try {
    // Folders are made only inside one of the user's own: root running with another user's HOME
    // (sudo -E) must not leave that user a ~/.cache they cannot write.
    if (!isOwn(nearestExisting(folder))) return;
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    if (!isPrivate(lstatSync(folder))) return;
    writeFileSync(partial, compiled.createCachedData(), { mode: 0o600, flag: 'wx' });
    renameSync(partial, file);
    pruneOldCaches(folder, path.basename(file));
  } catch {
    // A read-only or full disk: the next run compiles again, as it would without a cache.
    try {
      rmSync(partial, { force: true });
    } catch {
      // There was no folder to write it in.
    }
  }
}

/** Each build and Node version leaves a cache; the newest few are kept, for installs of different builds. */
function pruneOldCaches(folder: string, current: string): void {
  const caches = readdirSync(folder)
    .filter((name) => name !== current && /^baton-program-.*\.cache$/.test(name))
    .map((name) => ({ name, time: lstatSync(path.join(folder, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const { name } of caches.slice(KEPT_CACHES - 1)) rmSync(path.join(folder, name), { force: true });
}
