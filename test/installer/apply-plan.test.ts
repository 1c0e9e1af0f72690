import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { applyPlan } from '../../installer/install/apply-plan.js';
import { prepareInstall, type InstallRequest } from '../../installer/install/prepare-install.js';
import { TARGETS } from '../../installer/targets/index.js';
import { REPO_ROOT } from '../helpers/run.js';
import { contentOnly, snapshotTree } from '../helpers/tree.js';
import { testdir } from '../helpers/testdir.js';

function request(home: string, changes: Partial<InstallRequest> = {}): InstallRequest {
  return {
    packRoot: path.join(REPO_ROOT, 'test/fixtures/packs/valid'),
    bundle: { batonScript: '// tool v1\n', programScript: '// program v1\n', tokenizerScript: '// tokenizer v1\n' },
    targets: TARGETS,
    dirs: { scope: 'user', home, cwd: home, env: {} },
    uninstall: false,
    force: false,
    stopHook: undefined,
    version: '1.0.0',
    backupStamp: 'stamp',
    ...changes,
  };
}

describe('applying a plan as one transaction', () => {
  test('a failure while swapping files in restores every file already swapped', async () => {
    const home = await testdir({ '.claude/settings.json': '{}\n' });
    const first = await prepareInstall(request(home));
    await applyPlan(first.plan, { journalPath: first.journalPath });
    const before = await snapshotTree(home);

    // Version 2 changes the tool (in both pack folders); between planning and applying, something
    // occupies the place of a file that is to be created, so the last swap fails.
    const { plan, journalPath } = await prepareInstall(request(home, { bundle: { batonScript: '// tool v2\n', programScript: '// program v2\n', tokenizerScript: '// tokenizer v2\n' }, version: '2.0.0' }));
    const updates = plan.files.filter((file) => file.action === 'update');
    expect(updates.length).toBeGreaterThan(1);
    const late = plan.files.find((file) => file.absPath === updates.at(-1)?.absPath);
    if (!late) throw new Error('no file to block');
    const blocked = { ...late, action: 'create' as const };
    const obstacle = `${late.absPath}.new`;
    plan.files.push({ ...blocked, absPath: obstacle });
    await mkdir(obstacle);
    await writeFile(path.join(obstacle, 'inside'), 'x');

    await expect(applyPlan(plan, { journalPath })).rejects.toThrow(new RegExp(`Could not install ${obstacle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: a directory is in the way \\(EISDIR\\)\\. Every change was rolled back`));
    const after = await snapshotTree(home);
    delete after[path.relative(home, obstacle)];
    delete after[path.relative(home, path.join(obstacle, 'inside'))];
    expect(contentOnly(after)).toEqual(contentOnly(before));
    for (const dir of ['.claude/baton/bin', '.codex/baton/bin']) {
      expect((await readdir(path.join(home, dir))).filter((name) => name.includes('.baton-'))).toEqual([]);
    }
  });
});
