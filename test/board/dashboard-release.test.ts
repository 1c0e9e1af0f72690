import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BRIEF_LEVELS, BRIEF_ROLES, type Brief } from '../../scripts/brief/brief.js';
import { screenshotFolder, startBoardServer, type BoardServer } from '../helpers/board-server.js';
import { launchChromium } from '../helpers/browser.js';
import { buildExampleRelease, EXAMPLE_RELEASE } from '../helpers/example-release.js';
import { REPO_ROOT, runBin } from '../helpers/run.js';
import { statusJson } from '../helpers/slice-repo.js';
import { git, testdir } from '../helpers/testdir.js';

/**
 * The dashboard as a team lead uses it, in a real headless Chromium: the example release (two tracks,
 * T2 waiting for T1; S01 verified, S02 implemented, S03 planned, all through the real baton commands)
 * plus a slice committed by hand outside any track, whose title and spec are hostile HTML. Each test
 * asserts on the DOM; the screenshots go to the folder printed at the start.
 */

const REL = EXAMPLE_RELEASE;
const STRAY = 'S09-stray';
const HOSTILE_TITLE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
const HOSTILE_SPEC = `---
title: '<script>window.__pwned = 3</script>'
---
# ${STRAY}

<script>window.__pwned = 4</script>
<img src="x" onerror="window.__pwned = 5">
<iframe src="https://example.com/"></iframe>

[click me](javascript:window.__pwned=6)

![tracker](https://example.com/pixel.png)

<a href="javascript:window.__pwned=7">raw link</a>
`;
const SECRET = 'TOP-SECRET-OUTSIDE-THE-REPOSITORY';

let browser: Browser;
let server: BoardServer;
let repo: string;
let shots: string;

beforeAll(async () => {
  const folder = await testdir({}, 'baton-dashboard-');
  ({ repo } = await buildExampleRelease({ fixture: path.join(REPO_ROOT, 'test/fixtures/example-release'), baton: path.join(REPO_ROOT, 'dist/baton.mjs'), folder }));
  // A slice folder committed by hand: no track lists it and no receipt wrote its record. Its journal is
  // a link to a file outside the repository, its proof larger than the dashboard shows.
  const stray = path.join(repo, 'docs/release', REL, STRAY);
  await mkdir(stray);
  await writeFile(path.join(stray, 'status.json'), statusJson({ slice_id: STRAY, release: REL, track: 'T9-nowhere', title: HOSTILE_TITLE, state: 'in_progress' }));
  await writeFile(path.join(stray, 'spec.md'), HOSTILE_SPEC);
  await writeFile(path.join(stray, 'proof.md'), 'x'.repeat(1024 * 1024 + 1));
  await writeFile(path.join(folder, 'secret.txt'), `${SECRET}\n`);
  await symlink(path.join(folder, 'secret.txt'), path.join(stray, 'journal.md'));
  await git(repo, 'add', '--all');
  await git(repo, 'commit', '--quiet', '-m', 'A slice folder written by hand');
  server = await startBoardServer(repo, ['--refresh', '1']);
  browser = await launchChromium();
  shots = await screenshotFolder();
  console.log(`Dashboard screenshots: ${shots}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(options: { colorScheme?: 'light' | 'dark'; width?: number; path?: string } = {}): Promise<Page> {
  const page = await browser.newPage({ colorScheme: options.colorScheme ?? 'light', viewport: { width: options.width ?? 1280, height: 900 } });
  await page.goto(`${server.url}${options.path ?? ''}`);
  return page;
}

/** The browser globals the page functions below use: this project compiles without the DOM library. */
interface Win {
  document: { documentElement: { scrollWidth: number }; body: unknown; querySelector(selector: string): { getAttribute(name: string): string | null } | null; querySelectorAll(selector: string): ArrayLike<{ getBoundingClientRect(): { right: number } }> };
  innerWidth: number;
  getComputedStyle(element: unknown, pseudo?: string): { backgroundColor: string; color: string; borderTopStyle: string; content: string };
}

const pwned = (page: Page) => page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned);
const text = async (page: Page, selector: string) => (await page.locator(selector).first().textContent())?.trim();

describe('the dashboard of a release in progress', () => {
  test("the repository's name, the verdict naming the warnings, and the warnings at the top with their kind", async () => {
    const page = await open();
    expect(await text(page, 'h1 .repo')).toBe('invoices-app');
    expect(await page.title()).toBe('invoices-app · release board');
    expect(await text(page, '.verdict')).toBe(
      'NOT READY: 3 of 4 slices are not verified, shipped or deferred, and 1 slice record is in doubt (no receipt wrote it; see the warnings). 2 warnings (1 not-in-track, 1 unreceipted-state), listed below.',
    );
    const kinds = await page.locator('ul.warnings li').evaluateAll((items) => items.map((item) => [item.getAttribute('data-kind'), item.querySelector('.kind')?.textContent, item.querySelector('.where')?.textContent]));
    expect(kinds).toEqual([
      ['unreceipted-state', 'unreceipted-state', `${REL} · ${STRAY}`],
      ['not-in-track', 'not-in-track', `${REL} · ${STRAY}`],
    ]);
    expect(await text(page, 'ul.warnings li[data-kind="not-in-track"] .message')).toMatch(/^S09-stray has a folder but no track in index\.md lists it \(its record names T9-nowhere\)/);
    // At the top: above every release.
    const warningsBox = await page.locator('.warnings-box').boundingBox();
    const firstRelease = await page.locator('section.release').first().boundingBox();
    expect(warningsBox && firstRelease && warningsBox.y < firstRelease.y).toBe(true);
    await page.screenshot({ path: path.join(shots, 'release-desktop-light.png'), fullPage: true });
    await page.close();
  });

  test('each track: its progress, what it depends on, and its next step or why it has none', async () => {
    const page = await open();
    const t1 = page.locator('tr[data-track="T1-csv-export"]');
    const t2 = page.locator('tr[data-track="T2-pdf-export"]');
    expect(await t1.locator('td.progress .count').textContent()).toBe('1/2');
    expect(await t1.locator('td.progress rect.seg.verified').count()).toBe(1);
    expect(await t1.locator('td.progress rect.seg.implemented').getAttribute('width')).toBe('50.000');
    expect(await t1.locator('td.depends').textContent()).toBe('none');
    expect(await t1.locator('td.next code').textContent()).toBe(`/verify-slice S02-export-filter ${REL}`);
    expect(await t2.locator('td.progress .count').textContent()).toBe('0/1');
    expect(await t2.locator('td.depends').textContent()).toBe('T1-csv-export not merged');
    expect(await t2.locator('td.next').textContent()).toBe('blocked: waits for T1-csv-export to be merged first');
    expect(await t2.locator('td.next code').count()).toBe(0);
    // The release's bar and legend count every slice by state.
    expect(await page.locator('section.release svg.bar').first().getAttribute('aria-label')).toBe('1 verified, 1 implemented, 1 in_progress, 1 planned');
    await page.close();
  });

  test("each slice: its last verdict and when, its attempt, why it waits; text from the repository stays text", async () => {
    const page = await open();
    const row = (slice: string) => page.locator(`tr[data-slice="${slice}"]`);
    expect(await row('S01-export-csv').locator('td.last-verdict').textContent()).toMatch(/^PASS \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(await row('S01-export-csv').locator('td.attempt').textContent()).toBe('1');
    expect(await row('S02-export-filter').locator('td.last-verdict').textContent()).toBe('');
    expect(await row('S02-export-filter').locator('td.next code').textContent()).toBe(`/verify-slice S02-export-filter ${REL}`);
    expect(await row('S03-export-pdf').locator('td.next').textContent()).toBe('T2-pdf-export waits for T1-csv-export');
    expect(await row(STRAY).locator('td.outcome').textContent()).toBe(HOSTILE_TITLE);
    expect(await row(STRAY).locator('span.doubt').textContent()).toBe('unreceipted');
    expect(await row(STRAY).locator('td.next').textContent()).toBe('in no track: the planner must register it');
    expect(await pwned(page)).toBeUndefined();
    await page.close();
  });

  test('in_progress looks different from planned, not only in its word', async () => {
    const page = await open();
    const style = (slice: string) =>
      page.locator(`tr[data-slice="${slice}"] span.state`).evaluate((chip) => {
        const win = globalThis as unknown as Win;
        const computed = win.getComputedStyle(chip);
        return { background: computed.backgroundColor, border: computed.borderTopStyle, marker: win.getComputedStyle(chip, '::before').content };
      });
    const inProgress = await style(STRAY);
    const planned = await style('S03-export-pdf');
    expect(inProgress.background).not.toBe(planned.background);
    expect([inProgress.border, planned.border]).toEqual(['solid', 'dashed']);
    expect(inProgress.marker).toBe('"● "');
    await page.close();
  });

  test("a slice's receipt timeline opens on demand, stays open across refreshes and closes again", async () => {
    const page = await open();
    const button = page.locator('tr[data-slice="S01-export-csv"] button.show-timeline');
    const row = page.locator('tr.timeline-row[data-timeline-for="S01-export-csv"]');
    expect(await row.isHidden()).toBe(true);
    await button.click();
    await row.locator('table.timeline').waitFor();
    const events = () => row.locator('table.timeline tbody tr').evaluateAll((rows) => rows.map((tr) => tr.getAttribute('data-event')));
    expect(await events()).toEqual(['slice-planned', 'started', 'evidence', 'implemented', 'verdict']);
    expect(await row.locator('tr[data-event="verdict"] td').nth(1).textContent()).toBe('verdict PASS');
    expect(await row.locator('tr[data-event="implemented"] td').nth(3).textContent()).toMatch(/^by implementer · attempt 1 · candidate [0-9a-f]{12}$/);
    await page.screenshot({ path: path.join(shots, 'release-timeline-desktop-light.png'), fullPage: true });
    // The content is replaced every second; the open timeline is opened again each time.
    const stamp = await page.locator('[data-updated]').getAttribute('data-updated');
    await page.waitForFunction((before) => (globalThis as unknown as Win).document.querySelector('[data-updated]')?.getAttribute('data-updated') !== before, stamp);
    await row.locator('table.timeline').waitFor();
    expect(await events()).toHaveLength(5);
    await page.locator('tr[data-slice="S01-export-csv"] button.show-timeline').click();
    expect(await page.locator('tr.timeline-row[data-timeline-for="S01-export-csv"]').isHidden()).toBe(true);
    await page.close();
  });

  test('spec, proof and journal open from git, rendered as Markdown', async () => {
    const page = await open();
    const links = await page.locator('tr[data-slice="S01-export-csv"] td.documents a').evaluateAll((anchors) => anchors.map((a) => [a.textContent, a.getAttribute('href')]));
    expect(links).toEqual([
      ['spec', `/doc/${REL}/S01-export-csv/spec`],
      ['proof', `/doc/${REL}/S01-export-csv/proof`],
      ['journal', `/doc/${REL}/S01-export-csv/journal`],
      ['brief', `/brief/${REL}/S01-export-csv`],
    ]);
    await page.goto(`${server.url}doc/${REL}/S01-export-csv/spec`);
    expect(await text(page, 'article.markdown h1')).toBe('S01-export-csv: An accountant exports the invoices as CSV');
    expect(await page.locator('article.markdown h2').count()).toBeGreaterThan(5);
    expect(await text(page, 'p.meta')).toMatch(new RegExp(`^Release ${REL}\\. Read-only, from git: docs/release/${REL}/S01-export-csv/spec\\.md on track/${REL}/T1-csv-export at [0-9a-f]{12}\\.$`));
    await page.screenshot({ path: path.join(shots, 'document-spec-desktop-light.png'), fullPage: true });
    await page.goto(`${server.url}doc/${REL}/S01-export-csv/journal`);
    expect(await text(page, 'article.markdown h1')).toBe('Journal: S01-export-csv');
    await page.close();
  });

  test("a hostile spec's HTML, scripts, javascript: links and remote images are shown as text", async () => {
    const page = await open({ path: `doc/${REL}/${STRAY}/spec` });
    const article = page.locator('article.markdown');
    expect(await article.locator('script, img, iframe').count()).toBe(0);
    expect(await article.textContent()).toContain('<script>window.__pwned = 4</script>');
    expect(await article.textContent()).toContain('<img src="x" onerror="window.__pwned = 5">');
    expect(await text(page, 'pre.frontmatter')).toBe("title: '<script>window.__pwned = 3</script>'");
    const hrefs = await article.locator('a').evaluateAll((anchors) => anchors.map((a) => [a.className, a.getAttribute('href'), a.textContent]));
    expect(hrefs).toEqual([['image-link', 'https://example.com/pixel.png', '[image: tracker]']]);
    expect(await pwned(page)).toBeUndefined();
    await page.screenshot({ path: path.join(shots, 'document-hostile-spec-desktop-light.png'), fullPage: true });
    await page.close();
  });

  test('a document committed as a link, or larger than the cap, is refused with the reason', async () => {
    const journal = await fetch(`${server.url}doc/${REL}/${STRAY}/journal`);
    expect(journal.status).toBe(403);
    const refused = await journal.text();
    expect(refused).toContain(`docs/release/${REL}/${STRAY}/journal.md on HEAD`);
    expect(refused).toContain('is not a regular file (git mode 120000)');
    expect(refused).not.toContain(SECRET);
    const proof = await fetch(`${server.url}doc/${REL}/${STRAY}/proof`);
    expect(proof.status).toBe(403);
    expect(await proof.text()).toMatch(/proof\.md on HEAD \([0-9a-f]{12}\) is 1048577 bytes, more than the 1048576 the dashboard shows/);
  });

  test('/api/board answers the same bytes as baton board --json', async () => {
    const api = await fetch(`${server.url}api/board`);
    expect(api.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const cli = await runBin('baton', ['board', '--json'], { cwd: repo });
    expect(cli.exitCode).toBe(1);
    expect(await api.text()).toBe(`${cli.stdout}\n`);
  });
});

describe("each slice's brief, and the release's", () => {
  /** `baton brief <args> --json`, the CLI run as a process in the same repository. */
  const cliBrief = async (args: string[]): Promise<Brief> => {
    const run = await runBin('baton', ['brief', ...args, '--json'], { cwd: repo });
    expect(run.exitCode, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as Brief;
  };
  const shown = async (page: Page) => ({ digest: await text(page, 'code.digest'), tokens: Number(await text(page, '.brief-facts .tokens')) });
  const choose = async (page: Page, kind: 'roles' | 'levels', value: string) => {
    await page.locator(`nav.brief-choices .${kind} a`, { hasText: new RegExp(`^${value}$`) }).click();
    await page.waitForURL(new RegExp(`${kind === 'roles' ? 'role' : 'level'}=${value}`));
  };

  test("a slice's brief link opens its brief, and each role and level has the digest baton brief prints", async () => {
    const board = await open();
    const link = board.locator('tr[data-slice="S02-export-filter"] td.documents a', { hasText: 'brief' });
    expect(await link.getAttribute('href')).toBe(`/brief/${REL}/S02-export-filter`);
    const [page] = await Promise.all([board.context().waitForEvent('page'), link.click()]);
    await page.waitForLoadState();
    // The link asks for no role: the one the slice's state calls for (implemented: the verifier).
    const opened = await cliBrief(['S02-export-filter', REL]);
    expect(opened.role).toBe('verifier');
    expect(await shown(page)).toEqual({ digest: opened.digest, tokens: opened.tokens });
    expect(await text(page, 'code.brief-command')).toBe(`baton brief S02-export-filter ${REL} --role verifier --level standard`);
    expect(await text(page, 'article.markdown h1')).toBe(`Brief for the verifier: S02-export-filter in release ${REL}`);
    expect(await page.locator('article.markdown h2').evaluateAll((headings) => headings.map((h) => h.textContent?.replace(/ \(\d+ tokens\)$/, '')))).toEqual([...opened.sections.map((part) => part.title), 'Left out']);
    await page.screenshot({ path: path.join(shots, 'brief-desktop-light.png'), fullPage: true });
    for (const role of BRIEF_ROLES) {
      await choose(page, 'roles', role);
      const cli = await cliBrief(['S02-export-filter', REL, '--role', role]);
      expect(await shown(page), role).toEqual({ digest: cli.digest, tokens: cli.tokens });
      expect(await text(page, 'nav.brief-choices .roles a[aria-current="page"]')).toBe(role);
    }
    for (const level of BRIEF_LEVELS) {
      await choose(page, 'levels', level);
      const cli = await cliBrief(['S02-export-filter', REL, '--role', 'integrator', '--level', level]);
      expect(await shown(page), level).toEqual({ digest: cli.digest, tokens: cli.tokens });
    }
    await board.close();
    await page.close();
  });

  test("the release's brief is linked beside its facts, for the planner and the integrator", async () => {
    const board = await open();
    const link = board.locator(`section[data-release="${REL}"] .release-facts a.release-brief`);
    expect(await link.getAttribute('href')).toBe(`/brief/${REL}`);
    await board.goto(`${server.url}brief/${REL}`);
    const cli = await cliBrief([REL]);
    expect(await shown(board)).toEqual({ digest: cli.digest, tokens: cli.tokens });
    expect(await board.locator('nav.brief-choices .roles a').allTextContents()).toEqual(['planner', 'integrator']);
    await choose(board, 'roles', 'integrator');
    expect((await shown(board)).digest).toBe((await cliBrief([REL, '--role', 'integrator'])).digest);
    await board.close();
  });

  test("a hostile slice's brief: its HTML stays text, and its journal, a link out of the repository, is not read", async () => {
    const page = await open({ path: `brief/${REL}/${STRAY}?role=planner&level=full` });
    const article = page.locator('article.markdown');
    expect(await article.locator('script, img, iframe').count()).toBe(0);
    const shownText = (await article.textContent()) ?? '';
    expect(shownText).toContain(HOSTILE_TITLE);
    expect(shownText).toContain('<script>window.__pwned = 4</script>');
    expect(shownText).toContain('<a href="javascript:window.__pwned=7">raw link</a>');
    expect(shownText).toContain(`(not held: docs/release/${REL}/${STRAY}/journal.md leads outside the repository through a link, so it is not read; open `);
    expect(await page.content()).not.toContain(SECRET);
    expect(await article.locator('a').count()).toBe(0);
    expect(await pwned(page)).toBeUndefined();
    const cli = await cliBrief([STRAY, REL, '--role', 'planner', '--level', 'full']);
    expect(await shown(page)).toEqual({ digest: cli.digest, tokens: cli.tokens });
    await page.screenshot({ path: path.join(shots, 'brief-hostile-desktop-light.png'), fullPage: true });
    await page.close();
  });
});

describe('the dashboard in dark mode and on a phone', () => {
  /** Relative luminance of a computed `rgb(r, g, b)` colour, 0 (black) to 1 (white). */
  const luminance = (rgb: string) => {
    const [r = 0, g = 0, b = 0] = (rgb.match(/\d+/g) ?? []).map(Number);
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  };
  const colours = (page: Page) =>
    page.evaluate(() => {
      const win = globalThis as unknown as Win;
      const body = win.getComputedStyle(win.document.body);
      return { body: body.backgroundColor, text: body.color, card: win.getComputedStyle(win.document.querySelector('section.release')).backgroundColor };
    });

  test('prefers-color-scheme: dark gives a dark page with light text; light the reverse', async () => {
    const light = await open({ colorScheme: 'light' });
    const dark = await open({ colorScheme: 'dark' });
    const [day, night] = [await colours(light), await colours(dark)];
    expect(luminance(day.body)).toBeGreaterThan(0.9);
    expect(luminance(day.text)).toBeLessThan(0.2);
    expect(luminance(night.body)).toBeLessThan(0.1);
    expect(luminance(night.card)).toBeLessThan(0.15);
    expect(luminance(night.text)).toBeGreaterThan(0.85);
    const chip = (page: Page) => page.locator(`tr[data-slice="${STRAY}"] span.state`).evaluate((element) => (globalThis as unknown as Win).getComputedStyle(element).backgroundColor);
    expect(luminance(await chip(dark))).toBeLessThan(luminance(await chip(light)));
    await dark.screenshot({ path: path.join(shots, 'release-desktop-dark.png'), fullPage: true });
    await light.close();
    await dark.close();
  });

  test.each(['light', 'dark'] as const)('a phone (390 px wide, %s): no sideways scrolling, each table a list of labelled cards', async (colorScheme) => {
    const page = await open({ colorScheme, width: 390 });
    const overflow = () =>
      page.evaluate(() => {
        const win = globalThis as unknown as Win;
        const boxes = Array.from(win.document.querySelectorAll('table, section, article, .warnings-box'));
        return { page: win.document.documentElement.scrollWidth, viewport: win.innerWidth, widest: Math.max(...boxes.map((element) => element.getBoundingClientRect().right)) };
      });
    let sizes = await overflow();
    expect(sizes.page).toBeLessThanOrEqual(sizes.viewport);
    expect(sizes.widest).toBeLessThanOrEqual(sizes.viewport);
    expect(await page.locator('table.slices thead').isHidden()).toBe(true);
    const label = await page.locator('tr[data-slice="S01-export-csv"] td.last-verdict').evaluate((cell) => (globalThis as unknown as Win).getComputedStyle(cell, '::before').content);
    expect(label).toBe('"Last verdict"');
    await page.screenshot({ path: path.join(shots, `release-phone-${colorScheme}.png`), fullPage: true });
    await page.locator('tr[data-slice="S01-export-csv"] button.show-timeline').click();
    await page.locator('tr.timeline-row[data-timeline-for="S01-export-csv"] table.timeline').waitFor();
    sizes = await overflow();
    expect(sizes.page).toBeLessThanOrEqual(sizes.viewport);
    await page.screenshot({ path: path.join(shots, `release-timeline-phone-${colorScheme}.png`), fullPage: true });
    await page.goto(`${server.url}doc/${REL}/S01-export-csv/spec`);
    sizes = await overflow();
    expect(sizes.page).toBeLessThanOrEqual(sizes.viewport);
    await page.screenshot({ path: path.join(shots, `document-spec-phone-${colorScheme}.png`), fullPage: true });
    await page.goto(`${server.url}brief/${REL}/S01-export-csv?role=implementer&level=full`);
    sizes = await overflow();
    expect(sizes.page).toBeLessThanOrEqual(sizes.viewport);
    expect(sizes.widest).toBeLessThanOrEqual(sizes.viewport);
    await page.screenshot({ path: path.join(shots, `brief-phone-${colorScheme}.png`), fullPage: true });
    await page.close();
  });
});
