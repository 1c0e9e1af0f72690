import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { REPO_ROOT } from '../helpers/run.js';
import { receiptedSlice, verdictBlock, type ReceiptedSlice } from '../helpers/receipted-slice.js';
import { RELEASE, SLICE, SLICE_DIR, statusJson } from '../helpers/slice-repo.js';
import { git, testdir, writeFiles } from '../helpers/testdir.js';

const HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

let browser: Browser;
let server: ResultPromise;
let url: string;
let repo: string;
let baton: ReceiptedSlice['baton'];

beforeAll(async () => {
  ({ repo, baton } = await receiptedSlice('planned', { title: HOSTILE }));
  server = execa('node', [path.join(REPO_ROOT, 'dist/baton.mjs'), 'board', 'serve', '--port', '0', '--refresh', '1'], { cwd: repo, reject: false });
  url = await new Promise<string>((resolve, reject) => {
    server.stdout?.on('data', (chunk: Buffer) => {
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(chunk.toString());
      if (match) resolve(match[0]);
    });
    void server.then((result) => reject(new Error(`the dashboard exited: ${result.stderr}`)));
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  await server;
});

describe('baton board serve', () => {
  test('shows the release, its track and the next command; text from the repository stays text', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await expect(page.locator(`section[data-release="${RELEASE}"] h2`).textContent()).resolves.toBe(RELEASE);
    await expect(page.locator('td.outcome').first().textContent()).resolves.toBe(HOSTILE);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await expect(page.locator('code[data-claude]').first().textContent()).resolves.toBe(`/implement-slice ${SLICE} ${RELEASE}`);
    await page.selectOption('#tool', 'plugin');
    await expect(page.locator('code[data-claude]').first().textContent()).resolves.toBe(`/baton:implement-slice ${SLICE} ${RELEASE}`);
    await page.selectOption('#tool', 'codex');
    await expect(page.locator('code[data-claude]').first().textContent()).resolves.toBe(`$baton-implement-slice ${SLICE} ${RELEASE}`);
    await expect(page.locator('button.copy').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('.verdict').textContent()).resolves.toMatch(/NOT READY: 1 of 1 slices/);
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
    await page.close();
  });

  test("each slice's last verdict, when it was given, and its attempts, from the receipts", async () => {
    const failed = await receiptedSlice('implemented');
    const notes = path.join(await testdir(), 'verdict.md');
    await writeFile(notes, verdictBlock('FAIL', await git(failed.worktree, 'rev-parse', 'HEAD'), 'Violations:\n1. Gate 3 — no test drives the page.\n'));
    await failed.baton(['verdict', SLICE, 'FAIL', RELEASE, '--notes-file', notes]);
    const other = execa('node', [path.join(REPO_ROOT, 'dist/baton.mjs'), 'board', 'serve', '--port', '0'], { cwd: failed.repo, reject: false });
    try {
      const address = await new Promise<string>((resolve) => other.stdout?.on('data', (chunk: Buffer) => resolve(/http:\/\/127\.0\.0\.1:\d+\//.exec(chunk.toString())?.[0] ?? '')));
      const page = await browser.newPage();
      await page.goto(address);
      const row = page.locator(`tr[data-slice="${SLICE}"]`);
      await expect(row.locator('td.last-verdict').textContent()).resolves.toMatch(/^FAIL \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      await expect(row.locator('td.attempt').textContent()).resolves.toBe('1 (1 of 3 FAILs)');
      await expect(row.locator('span.doubt').count()).resolves.toBe(0);
      await page.close();
    } finally {
      other.kill('SIGTERM');
      await other;
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
