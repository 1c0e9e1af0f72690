import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { installOrFail } from '../helpers/package.js';
import { toOldCodexLayout } from '../helpers/old-codex-layout.js';
import { gitdir, testdir } from '../helpers/testdir.js';
import { runCodex } from './clients.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';

/**
 * Why Codex's skills moved out of `.agents/skills`, and that the move reaches Codex: the facts in the
 * real Codex binary (0.169) that the `.agents/skills` policy rests on.
 */

let server: RecordingServer;
let project: string;
beforeAll(async () => {
  server = await startRecordingServer();
  project = await gitdir({ 'README.md': '# a project\n' }, 'baton-codex-skills-project-');
});
afterAll(async () => server?.close());

const PROMPT = '$baton-verify-slice S03a-export-csv 2026-11-21-billing';
const DESCRIPTION = /- baton-verify-slice: Verify an implemented slice/g;

describe('Codex and the skill folders', () => {
  test('a skill of the same name in ~/.agents/skills and $CODEX_HOME/skills is listed twice, and $<name> then injects neither', async () => {
    const home = await testdir({}, 'baton codex dup ');
    await installOrFail(['--target', 'codex'], home);
    await mkdir(path.join(home, '.agents/skills'), { recursive: true });
    await cp(path.join(home, '.codex/skills/baton-verify-slice'), path.join(home, '.agents/skills/baton-verify-slice'), { recursive: true });
    const run = await runCodex(server, { prompt: PROMPT, home, codexHome: path.join(home, '.codex'), cwd: project });
    expect(run.text.match(DESCRIPTION)).toHaveLength(2);
    expect(run.text).not.toContain('<name>baton-verify-slice</name>');
  });

  test('after an upgrade from the .agents/skills layout, Codex lists each baton skill once and injects it', async () => {
    const home = await testdir({}, 'baton codex upgrade ');
    await installOrFail(['--target', 'codex'], home);
    await toOldCodexLayout({ home });
    await installOrFail([], home);
    const run = await runCodex(server, { prompt: PROMPT, home, codexHome: path.join(home, '.codex'), cwd: project });
    expect(run.text.match(DESCRIPTION)).toHaveLength(1);
    expect(run.text).toContain(`<name>baton-verify-slice</name>\n<path>${path.join(home, '.codex/skills/baton-verify-slice/SKILL.md')}</path>`);
  });

  test('in a project: .codex/skills, read from a subfolder of the repository too', async () => {
    const repo = await gitdir({ 'README.md': '# r\n', 'src/app/README.md': '# app\n' }, 'baton-codex-skills-repo-');
    const home = await testdir({}, 'baton-codex-skills-home-');
    await installOrFail(['--scope', 'project', '--target', 'codex'], home, {}, repo);
    const run = await runCodex(server, { prompt: PROMPT, home, codexHome: path.join(home, '.codex'), cwd: path.join(repo, 'src/app') });
    expect(run.text).toContain(`<name>baton-verify-slice</name>\n<path>${path.join(repo, '.codex/skills/baton-verify-slice/SKILL.md')}</path>`);
  });
});
