import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { subtrees, subtreesNamed } from '../../scripts/lib/git-objects.js';
import { git, gitdir } from '../helpers/testdir.js';

/** The raw bytes of a real tree object holding these paths, as `git cat-file --batch` gives them. */
async function rawTree(files: Record<string, string>): Promise<Buffer> {
  const dir = await gitdir(files);
  const id = await git(dir, 'rev-parse', 'HEAD^{tree}');
  // execa gives a Uint8Array for binary output; git-objects works on the Buffer cat-file output becomes.
  return Buffer.from((await execa('git', ['cat-file', 'tree', id], { cwd: dir, encoding: 'buffer' })).stdout);
}

const FILES = {
  'S1-a/status.json': '{}',
  'S10-b/status.json': '{}',
  'S2-c/status.json': '{}',
  'S2-c.md': 'a file whose name starts like a folder',
  'S3-file': 'a file, not a folder',
  'S4-é/status.json': '{}',
  'index.md': '# release',
};

describe('subtreesNamed: some folders of a tree, found without decoding the rest', () => {
  test.each([
    { names: ['S1-a', 'S2-c'], found: ['S1-a', 'S2-c'] },
    { names: ['S2-c', 'S10-b', 'S1-a'], found: ['S1-a', 'S10-b', 'S2-c'] },
    { names: ['S1'], found: [] },
    { names: ['S3-file'], found: [] },
    { names: ['index.md'], found: [] },
    { names: ['S4-é', 'S9-missing'], found: ['S4-é'] },
    { names: [], found: [] },
  ])('$names', async ({ names, found }) => {
    const tree = await rawTree(FILES);
    const all = subtrees(tree, 40);
    const picked = subtreesNamed(tree, names, 40);
    expect([...picked.keys()].sort()).toEqual(found.sort());
    for (const [name, id] of picked) expect(id).toBe(all.get(name));
  });

  test('bytes inside an object id that look like an entry are not taken for one', () => {
    const entry = (name: string, id: Buffer) => Buffer.concat([Buffer.from(`40000 ${name}\0`), id]);
    const decoy = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from('40000 B\0'), Buffer.alloc(9, 7)]); // 20 bytes
    const real = Buffer.alloc(20, 0xab);
    const tree = Buffer.concat([entry('A', decoy), entry('B', real)]);
    expect(decoy).toHaveLength(20);
    expect(subtreesNamed(tree, ['B'], 40).get('B')).toBe(real.toString('hex'));
    expect(subtrees(tree, 40).get('B')).toBe(real.toString('hex'));
  });
});
