import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { screenshotFolder, startBoardServer, type BoardServer } from '../helpers/board-server.js';
import { PACKAGE_TARGETS, TARGETS } from '../../installer/targets/index.js';
import { launchChromium } from '../helpers/browser.js';
import { receiptedSlice, verdictBlock, type ReceiptedSlice } from '../helpers/receipted-slice.js';
import { RELEASE, SLICE, SLICE_DIR, statusJson, TRACK } from '../helpers/slice-repo.js';
import { git, GIT_ENV, gitdir, testdir, writeFiles } from '../helpers/testdir.js';
import { runBin } from '../helpers/run.js';

const HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

let browser: Browser;
let server: BoardServer;
let url: string;
let repo: string;
let baton: ReceiptedSlice['baton'];
let shots: string;

beforeAll(async () => {
  ({ repo, baton } = await receiptedSlice('planned', { title: HOSTILE }));
  server = await startBoardServer(repo, ['--refresh', '1']);
  url = server.url;
  browser = await launchChromium();
  shots = await screenshotFolder();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('baton board serve', () => {
  test('shows the release, its track and the next command; text from the repository stays text', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await expect(page.locator(`section[data-release="${RELEASE}"] h2`).textContent()).resolves.toBe(RELEASE);
    await expect(page.locator('td.outcome').first().textContent()).resolves.toBe(HOSTILE);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await expect(page.locator('code[data-claude]').first().textContent()).resolves.toBe(`/implement-slice ${SLICE} ${RELEASE}`);
    await page.selectOption('#tool', 'claude-plugin');
    await expect(page.locator('code[data-claude]').first().textContent()).resolves.toBe(`/baton:implement-slice ${SLICE} ${RELEASE}`);
    await page.selectOption('#tool', 'codex');
    await expect(page.locator('code[data-claude]').first().textContent()).resolves.toBe(`$baton-implement-slice ${SLICE} ${RELEASE}`);
    await expect(page.locator('button.copy').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('.verdict').textContent()).resolves.toMatch(/NOT READY: 1 of 1 slices/);
    await page.close();
  });

  test("the tools offered for commands are the installer's targets, each command in the form its tool types", async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const targets = [...TARGETS, ...PACKAGE_TARGETS];
    const options = await page.locator('#tool option').evaluateAll((items) => items.map((item) => [item.getAttribute('value'), item.textContent]));
    expect(options.map(([id]) => id).sort()).toEqual(targets.map((target) => target.id).sort());
    // A tool's plugin comes right after the tool.
    expect(options.map(([id]) => id).slice(0, 2)).toEqual(['claude', 'claude-plugin']);
    for (const [id, label] of options) {
      const target = targets.find((candidate) => candidate.id === id);
      expect(label).toBe(target?.label);
      await page.selectOption('#tool', id ?? '');
      await expect(page.locator('code.invocation').first().textContent()).resolves.toBe(`${target?.invocation('implement-slice')} ${SLICE} ${RELEASE}`);
    }
    // A choice saved by an older page that this one no longer offers falls back to the first tool.
    await page.evaluate(() => (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage.setItem('baton-tool', 'plugin'));
    await page.reload();
    await expect(page.locator('#tool').inputValue()).resolves.toBe('claude');
    await expect(page.locator('code.invocation').first().textContent()).resolves.toBe(`/implement-slice ${SLICE} ${RELEASE}`);
    await page.close();
  });

  test('refreshes itself when the repository changes: a hand edit is a warning, a receipted change a new state', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await expect(page.locator('span.state.planned').first().isVisible()).resolves.toBe(true);
    // A hand edit claiming verified: the page keeps the receipted state and names the record in doubt.
    await writeFiles(repo, { [`${SLICE_DIR}/status.json`]: statusJson({ state: 'verified', title: HOSTILE }) });
    await page.waitForSelector('ul.warnings li', { timeout: 10_000 });
    await expect(page.locator('ul.warnings li').first().textContent()).resolves.toContain(`${SLICE}: its status.json on working tree has uncommitted changes`);
    await expect(page.locator('span.state.planned').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('span.state.verified').count()).resolves.toBe(0);
    await expect(page.locator(`tr[data-slice="${SLICE}"] span.doubt`).textContent()).resolves.toBe('unreceipted');
    await expect(page.locator('.verdict').textContent()).resolves.toMatch(/^NOT READY: .*, and 1 slice record is in doubt/);
    // Put back, then deferred with baton: the receipted change is what the page shows.
    await git(repo, 'checkout', '--', path.join(repo, SLICE_DIR, 'status.json'));
    const card = path.join(await testdir(), 'card.md');
    await writeFile(card, 'Reason: not needed this release\nTracking: ISSUE-9\nAcknowledged: Ana, 2026-11-21\n');
    await baton(['defer', SLICE, RELEASE, '--notes-file', card]);
    await page.waitForSelector('span.state.deferred', { timeout: 10_000 });
    await expect(page.locator('.verdict').textContent()).resolves.toMatch(/^READY: all 1 slices/);
    await expect(page.locator('ul.warnings').count()).resolves.toBe(0);
    // The track has no next step, and says why.
    await expect(page.locator(`tr[data-track="${TRACK}"] td.next`).textContent()).resolves.toBe('every slice is deferred: nothing to merge');
    await page.close();
  });

  test("each slice's last verdict, when it was given, its attempts, and the escalation mark after maxAttempts FAILs", async () => {
    const failed = await receiptedSlice('implemented');
    const fail = async () => {
      const notes = path.join(await testdir(), 'verdict.md');
      await writeFile(notes, verdictBlock('FAIL', await git(failed.worktree, 'rev-parse', 'HEAD'), 'Violations:\n1. Gate 3 — no test drives the page.\n'));
      await failed.baton(['verdict', SLICE, 'FAIL', RELEASE, '--notes-file', notes]);
    };
    await fail();
    const other = await startBoardServer(failed.repo);
    try {
      const page = await browser.newPage();
      await page.goto(other.url);
      const row = page.locator(`tr[data-slice="${SLICE}"]`);
      await expect(row.locator('td.last-verdict').textContent()).resolves.toMatch(/^FAIL \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      await expect(row.locator('td.attempt').textContent()).resolves.toBe('1 (1 of 3 FAILs)');
      await expect(row.locator('span.doubt').count()).resolves.toBe(0);
      await expect(row.locator('.escalated').count()).resolves.toBe(0);
      for (let attempt = 2; attempt <= 3; attempt += 1) {
        await failed.baton(['start', SLICE, RELEASE]);
        await failed.baton(['transition', SLICE, 'implemented', RELEASE]);
        await fail();
      }
      await page.reload();
      await expect(row.locator('td.attempt').textContent()).resolves.toBe('3 (3 of 3 FAILs) escalated');
      await expect(row.locator('td.attempt span.escalated').isVisible()).resolves.toBe(true);
      await expect(row.getAttribute('class')).resolves.toBe('escalated');
      // The marked row stays a row of its table, inside the release's box.
      const table = await page.locator('table.slices').boundingBox();
      const box = await page.locator('section.release').boundingBox();
      expect(table && box && table.x + table.width <= box.x + box.width).toBe(true);
      await expect(row.evaluate((tr) => tr.getBoundingClientRect().width)).resolves.toBe(table?.width);
      await expect(row.locator('td.next code').textContent()).resolves.toBe(`/replan-release ${RELEASE}`);
      await expect(row.locator('td.next .reason').textContent()).resolves.toBe('failed verification 3 times: the planner amends the spec or the plan and re-opens it');
      // The timeline, on demand: every receipt of the three attempts, oldest first.
      await row.locator('button.show-timeline').click();
      const timeline = page.locator(`tr.timeline-row[data-timeline-for="${SLICE}"] table.timeline`);
      await timeline.waitFor();
      const verdicts = await timeline.locator('tr[data-event="verdict"]').evaluateAll((rows) => rows.map((tr) => tr.children[1]?.textContent));
      expect(verdicts).toEqual(['verdict FAIL', 'verdict FAIL', 'verdict FAIL']);
      await expect(timeline.locator('tr[data-event="started"]').count()).resolves.toBe(3);
      await page.screenshot({ path: path.join(shots, 'escalated-desktop-light.png'), fullPage: true });
      await page.close();
    } finally {
      await other.stop();
    }
  });

  test('a BLOCKED verdict: the flag, and its reason beside the command for the planner', async () => {
    const blocked = await receiptedSlice('implemented');
    const notes = path.join(await testdir(), 'verdict.md');
    await writeFile(notes, verdictBlock('BLOCKED', await git(blocked.worktree, 'rev-parse', 'HEAD'), 'Reason: the spec asks for a <b>PDF</b> renderer the project forbids.\n'));
    await blocked.baton(['verdict', SLICE, 'BLOCKED', RELEASE, '--notes-file', notes]);
    const other = await startBoardServer(blocked.repo);
    try {
      const page = await browser.newPage();
      await page.goto(other.url);
      const row = page.locator(`tr[data-slice="${SLICE}"]`);
      await expect(row.locator('span.flag.blocked').textContent()).resolves.toBe('BLOCKED');
      await expect(row.locator('td.last-verdict').textContent()).resolves.toMatch(/^BLOCKED \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      await expect(row.locator('td.next code').textContent()).resolves.toBe(`/replan-release ${RELEASE}`);
      await expect(row.locator('td.next .reason').textContent()).resolves.toBe('BLOCKED: the spec asks for a <b>PDF</b> renderer the project forbids.');
      await page.close();
    } finally {
      await other.stop();
    }
  });

  test('an empty repository shows the command that plans the first release; a release without slices, the one that plans them', async () => {
    const empty = await gitdir();
    const other = await startBoardServer(empty, ['--refresh', '1']);
    try {
      const page = await browser.newPage();
      await page.goto(other.url);
      await expect(page.locator('.verdict').textContent()).resolves.toBe('NOTHING PLANNED: no release has a slice yet. Plan one with the plan-release command.');
      const command = page.locator('.empty-state code[data-claude]');
      await expect(command.textContent()).resolves.toMatch(/^\/plan-release \d{4}-\d{2}-\d{2}-<name>$/);
      await page.selectOption('#tool', 'codex');
      await expect(command.textContent()).resolves.toMatch(/^\$baton-plan-release \d{4}-\d{2}-\d{2}-<name>$/);
      await page.selectOption('#tool', 'claude');
      await expect(page.locator('.empty-state button.copy').isVisible()).resolves.toBe(true);
      await page.screenshot({ path: path.join(shots, 'empty-desktop-light.png'), fullPage: true });
      await runBin('baton', ['new-release', RELEASE, '--title', 'Billing exports'], { cwd: empty, env: GIT_ENV });
      await page.waitForSelector(`section[data-release="${RELEASE}"]`, { timeout: 10_000 });
      await expect(page.locator(`section[data-release="${RELEASE}"] .empty-state code[data-claude]`).textContent()).resolves.toBe(`/plan-release ${RELEASE}`);
      await page.close();
    } finally {
      await other.stop();
    }
  });

  test('when the server stops answering, the page says so and how old its data is', async () => {
    const other = await startBoardServer(await gitdir(), ['--refresh', '1']);
    const page = await browser.newPage();
    try {
      await page.goto(other.url);
      const banner = page.locator('#connection');
      await expect(banner.isHidden()).resolves.toBe(true);
      await other.stop();
      await banner.waitFor({ state: 'visible', timeout: 10_000 });
      // The time of the data still shown (the last refresh that was answered), in the browser's zone.
      const updated = await page.locator('[data-updated]').getAttribute('data-updated');
      const clock = await page.evaluate((iso) => {
        const date = new Date(iso ?? '');
        return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
      }, updated);
      await expect(banner.textContent()).resolves.toBe(`Disconnected: the board server is not answering; data from ${clock}.`);
      // The data stays on the page, dimmed.
      await expect(page.locator('.empty-state').isVisible()).resolves.toBe(true);
      await expect(page.locator('main#board').getAttribute('class')).resolves.toBe('stale');
      await page.screenshot({ path: path.join(shots, 'disconnected-desktop-light.png'), fullPage: true });
    } finally {
      await page.close();
      await other.stop();
    }
  });

  test('listens on 127.0.0.1 only', async () => {
    const port = Number(new URL(url).port);
    const ask = (host: string) =>
      new Promise<string>((resolve) => {
        const probe = request({ host, port, path: '/', timeout: 2000 }, () => resolve('answered'));
        probe.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
        probe.on('timeout', () => {
          probe.destroy();
          resolve('timeout');
        });
        probe.end();
      });
    expect(await ask('127.0.0.1')).toBe('answered');
    // 127.0.0.2 is loopback too on Linux: a server bound to every address would answer there.
    const external = Object.values(networkInterfaces()).flat().find((address) => address && address.family === 'IPv4' && !address.internal);
    for (const host of ['127.0.0.2', ...(external ? [external.address] : [])]) expect(await ask(host), host).not.toBe('answered');
  });
});
