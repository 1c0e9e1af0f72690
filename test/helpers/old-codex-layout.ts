import { mkdir, readFile, readdir, rename, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Turns a Codex install of this version into what baton 0.1 left: the skills under `.agents/skills`
 * (user scope: `$HOME/.agents/skills`, recorded under the root `agents`), the manifest recording them
 * there. Everything else (contents, hashes, the pack folder) is what both versions write.
 */

interface Entry {
  root: string;
  path: string;
}

export async function toOldCodexLayout(where: { home: string } | { repo: string }): Promise<void> {
  const user = 'home' in where;
  const skillsNow = user ? path.join(where.home, '.codex/skills') : path.join(where.repo, '.codex/skills');
  const skillsThen = user ? path.join(where.home, '.agents/skills') : path.join(where.repo, '.agents/skills');
  const manifestFile = user ? path.join(where.home, '.codex/baton/manifest.json') : path.join(where.repo, '.baton/manifest.json');
  await mkdir(skillsThen, { recursive: true });
  for (const name of (await readdir(skillsNow)).filter((entry) => entry.startsWith('baton-'))) {
    await rename(path.join(skillsNow, name), path.join(skillsThen, name));
  }
  await rmdir(skillsNow);
  if (!user) await rmdir(path.dirname(skillsNow));
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { files: Entry[]; dirs: Entry[] };
  const move = (entry: Entry): Entry => {
    if (user && entry.root === 'codex' && (entry.path === 'skills' || entry.path.startsWith('skills/'))) return { ...entry, root: 'agents' };
    if (!user && (entry.path === '.codex' || entry.path.startsWith('.codex/'))) return { ...entry, path: `.agents${entry.path.slice('.codex'.length)}` };
    return entry;
  };
  manifest.files = manifest.files.map(move);
  manifest.dirs = manifest.dirs.map(move);
  // baton 0.1 created the `.agents` folder itself in a home that had none.
  if (user) manifest.dirs.push({ root: 'agents', path: '', targets: ['codex'] } as Entry);
  await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
}
