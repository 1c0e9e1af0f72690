/**
 * The dashboard's stylesheet and script, served as /board.css and /board.js: the page's
 * Content-Security-Policy allows scripts and styles from the server itself only, never inline, so
 * text from a repository that escaped escaping still could not run.
 */

export const DASHBOARD_CSS = `
:root { color-scheme: light dark;
  --bg: #f6f7f9; --fg: #1d232b; --muted: #5b6470; --card: #fff; --border: #d9dde3; --rule: #eef0f3; --chip: #eef0f3;
  --ok-bg: #dcf3e4; --ok-fg: #17582f; --ok: #2f8f57; --work-bg: #dbe8ff; --work-fg: #1d4ed8; --work: #3b82f6;
  --wait-bg: #fdf1d8; --wait-fg: #7a4a00; --wait: #d99a1e; --bad-bg: #fbe0e0; --bad-fg: #8a1c1c; --bad: #d04545;
  --off-bg: #ececec; --off-fg: #4b5058; --off: #a3a9b1; --empty: #e6e9ee; --planned: #c3c9d1; --link: #1d5fbf; }
@media (prefers-color-scheme: dark) { :root {
  --bg: #121519; --fg: #e3e7ec; --muted: #98a2ae; --card: #1b1f25; --border: #2e343c; --rule: #262b32; --chip: #2a3038;
  --ok-bg: #163d27; --ok-fg: #9be0b5; --ok: #3fae6d; --work-bg: #1c3157; --work-fg: #a9c7ff; --work: #4d8ff5;
  --wait-bg: #43330f; --wait-fg: #f3cf86; --wait: #d9a032; --bad-bg: #4a1d1d; --bad-fg: #f4aaaa; --bad: #e06464;
  --off-bg: #2c3036; --off-fg: #b4bac2; --off: #5f666f; --empty: #2a2f36; --planned: #4a515b; --link: #8ab4ff; } }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1400px; padding: 1.5rem 2rem; color: var(--fg); background: var(--bg); }
a { color: var(--link); } [hidden] { display: none !important; }
header.top { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; justify-content: space-between; margin-bottom: .5rem; }
h1 { font-size: 1.4rem; margin: 0; } h1 .subtitle { color: var(--muted); font-weight: 400; }
h2 { font-size: 1.15rem; margin: 0 0 .35rem; } h3 { font-size: .95rem; margin: 1rem 0 .25rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.meta, .muted { color: var(--muted); } .meta { margin: .25rem 0 1rem; }
select { font: inherit; color: inherit; background: var(--card); border: 1px solid var(--border); border-radius: 4px; padding: 1px 4px; margin-left: .25rem; }
main.stale { opacity: .55; }
.connection { position: sticky; top: 0; z-index: 1; margin: 0 0 1rem; padding: .6rem .9rem; border-radius: 6px; font-weight: 600; background: var(--bad-bg); color: var(--bad-fg); border: 1px solid var(--bad); }
.verdict { font-size: 1.05rem; font-weight: 600; margin: .5rem 0 .25rem; padding: .5rem .75rem; border-radius: 6px; border-left: 4px solid; }
.verdict.ready { color: var(--ok-fg); background: var(--ok-bg); } .verdict.waiting { color: var(--wait-fg); background: var(--wait-bg); }
.warnings-box { background: var(--card); border: 1px solid var(--wait); border-radius: 8px; padding: .75rem 1rem; margin-bottom: 1.25rem; }
ul.warnings { margin: 0; padding: 0; list-style: none; } ul.warnings li { padding: .3rem 0; border-top: 1px solid var(--rule); overflow-wrap: anywhere; } ul.warnings li:first-child { border-top: 0; }
.kind { font-family: ui-monospace, monospace; font-size: 12px; padding: 1px 6px; border-radius: 4px; background: var(--wait-bg); color: var(--wait-fg); } .where { font-weight: 600; }
section.release, section.empty-state { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 1rem 1.25rem; margin-bottom: 1.25rem; }
section.release.complete { opacity: .85; } .release-facts { margin: 0 0 .5rem; }
svg.bar { display: block; width: 100%; height: 10px; border-radius: 5px; overflow: hidden; margin: .25rem 0; }
td svg.bar { height: 6px; max-width: 12rem; margin-top: .3rem; }
.seg.empty { fill: var(--empty); } .seg.shipped, .seg.verified { fill: var(--ok); } .seg.deferred { fill: var(--off); } .seg.implemented { fill: var(--wait); }
.seg.in_progress { fill: var(--work); } .seg.failed_verification, .seg.unknown { fill: var(--bad); } .seg.planned { fill: var(--planned); }
ul.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: .25rem 0 .75rem; padding: 0; color: var(--muted); font-size: 13px; }
.swatch { display: inline-block; width: .7rem; height: .7rem; border-radius: 2px; margin-right: .3rem; vertical-align: -1px; }
.swatch.shipped, .swatch.verified { background: var(--ok); } .swatch.deferred { background: var(--off); } .swatch.implemented { background: var(--wait); }
.swatch.in_progress { background: var(--work); } .swatch.failed_verification, .swatch.unknown { background: var(--bad); } .swatch.planned { background: var(--planned); }
table { border-collapse: collapse; width: 100%; margin: .25rem 0 .75rem; } th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; } tr.done td { color: var(--muted); }
.state { display: inline-block; font-family: ui-monospace, monospace; font-size: 12px; padding: 0 6px; border-radius: 4px; border: 1px solid transparent; background: var(--chip); color: var(--fg); white-space: nowrap; }
.state.planned { background: transparent; border: 1px dashed var(--off); color: var(--muted); }
.state.in_progress { background: var(--work-bg); color: var(--work-fg); border-color: var(--work); font-weight: 600; }
.state.in_progress::before { content: "● "; }
.state.implemented { background: var(--wait-bg); color: var(--wait-fg); }
.state.verified, .state.shipped, .state.merged { background: var(--ok-bg); color: var(--ok-fg); }
.state.failed_verification, .state.unknown { background: var(--bad-bg); color: var(--bad-fg); } .state.deferred { background: var(--off-bg); color: var(--off-fg); }
.flag, .doubt, span.escalated { display: inline-block; font-size: 12px; padding: 0 6px; border-radius: 4px; margin-left: .25rem; white-space: nowrap; }
.flag.ready { background: var(--ok-bg); color: var(--ok-fg); } .flag.blocked, .doubt, span.escalated { background: var(--bad-bg); color: var(--bad-fg); font-weight: 600; }
tr.escalated td:first-child { box-shadow: inset 3px 0 var(--bad); }
span.escalated::before { content: "▲ "; }
.dep { white-space: nowrap; } .dep code { font-size: 12px; } .dep.merged { color: var(--ok-fg); } .dep.waiting { color: var(--wait-fg); } .dep small { font-size: 11px; }
.reason { color: var(--muted); font-style: italic; } .reason.blocked { color: var(--wait-fg); font-style: normal; font-weight: 600; }
.count { font-variant-numeric: tabular-nums; } td.last-verdict time { white-space: nowrap; }
code { font-family: ui-monospace, monospace; font-size: 12.5px; } .command code { overflow-wrap: anywhere; }
button { font: inherit; font-size: 12px; color: inherit; background: var(--chip); border: 1px solid var(--border); border-radius: 4px; padding: 0 6px; cursor: pointer; }
button.copy { margin-left: .4rem; }
.verdict-fail, .verdict-blocked { color: var(--bad-fg); font-weight: 600; } .verdict-pass { color: var(--ok-fg); font-weight: 600; }
.documents a { margin-right: .35rem; white-space: nowrap; } .nowrap { white-space: nowrap; }
button.show-timeline { color: var(--link); border-color: var(--link); background: transparent; }
tr.timeline-row > td { background: var(--bg); padding: .5rem .75rem; } table.timeline { margin: 0; font-size: 13px; } tr.rejected td { color: var(--bad-fg); }
.error { color: var(--bad-fg); white-space: pre-wrap; }
.empty-state .command { font-size: 1.05rem; }
body.document { max-width: 60rem; } article.markdown { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 1rem 1.5rem; overflow-wrap: anywhere; }
article.markdown pre { background: var(--bg); padding: .6rem .8rem; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; }
article.markdown table { width: auto; } article.markdown td, article.markdown th { border: 1px solid var(--rule); }
pre.frontmatter { color: var(--muted); }
section.brief-facts { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: .4rem 1.5rem; margin-bottom: 1rem; overflow-wrap: anywhere; }
section.brief-facts p { margin: .4rem 0; } .brief-choices a { margin-right: .6rem; white-space: nowrap; }
.brief-choices a[aria-current="page"] { color: var(--fg); font-weight: 700; text-decoration: none; } a.release-brief { margin-left: .4rem; white-space: nowrap; }
@media (max-width: 720px) {
  body { padding: 1rem .75rem; font-size: 15px; } article.markdown, section.brief-facts { padding: .5rem .9rem; }
  table.cards, table.cards > tbody, table.cards > tbody > tr, table.cards > tbody > tr > td { display: block; width: 100%; }
  table.cards > thead { display: none; }
  table.cards > tbody > tr { border-bottom: 1px solid var(--border); padding: .5rem 0; }
  table.cards > tbody > tr > td { position: relative; border: 0; padding: .15rem 0 .15rem 7rem; overflow-wrap: anywhere; min-height: 1.5rem; }
  table.cards > tbody > tr > td:empty { display: none; }
  table.cards > tbody > tr > td::before { content: attr(data-label); position: absolute; left: 0; top: .25rem; width: 6.5rem; color: var(--muted); font-size: 12px; font-weight: 600; }
  td svg.bar { max-width: none; } td .nowrap { white-space: normal; }
  table.cards > tbody > tr.timeline-row > td { padding: .5rem; } table.cards > tbody > tr.timeline-row > td::before { content: none; }
  table.timeline, table.timeline > tbody, table.timeline > tbody > tr { display: block; } table.timeline > thead { display: none; }
  table.timeline > tbody > tr { padding: .3rem 0; border-bottom: 1px solid var(--rule); } table.timeline > tbody > tr > td { display: inline; border: 0; padding: 0 .4rem 0 0; }
  tr.escalated > td:first-child { box-shadow: none; } tr.escalated { box-shadow: inset 3px 0 var(--bad); padding-left: .5rem; }
}
`;

export const DASHBOARD_JS = `
'use strict';
const board = document.getElementById('board');
const banner = document.getElementById('connection');
const openTimelines = new Set();
const timelines = new Map();
// The tools are the choice's options (the installer's targets); a saved one no longer offered falls back to the first.
function tool() {
  const offered = [...document.querySelectorAll('#tool option')].map((option) => option.value);
  const saved = localStorage.getItem('baton-tool');
  return offered.includes(saved) ? saved : offered[0];
}
const pad = (n) => String(n).padStart(2, '0');
function clock(iso, seconds) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return pad(date.getHours()) + ':' + pad(date.getMinutes()) + (seconds ? ':' + pad(date.getSeconds()) : '');
}
function dataTime() {
  const summary = board.querySelector('[data-updated]');
  return summary ? clock(summary.dataset.updated, false) : 'before this page';
}
function applyTool() {
  const chosen = tool();
  for (const el of document.querySelectorAll('code.invocation')) { const typed = el.getAttribute('data-' + chosen); if (typed !== null) el.textContent = typed; }
  const choice = document.getElementById('tool'); if (choice) choice.value = chosen;
}
function applyTimes() {
  for (const el of board.querySelectorAll('time[data-local]')) el.textContent = clock(el.dateTime, true);
}
function showProblem(text) { banner.textContent = text; banner.hidden = false; board.classList.add('stale'); }
async function loadTimeline(button) {
  const row = button.closest('tr').nextElementSibling;
  if (!row || !row.classList.contains('timeline-row')) return;
  const cell = row.firstElementChild;
  openTimelines.add(button.dataset.timeline);
  button.setAttribute('aria-expanded', 'true');
  row.hidden = false;
  if (timelines.has(button.dataset.timeline)) cell.innerHTML = timelines.get(button.dataset.timeline);
  else if (!cell.firstChild) cell.textContent = 'Reading the receipts…';
  try {
    const response = await fetch(button.dataset.timeline, { cache: 'no-store' });
    const text = await response.text();
    if (response.ok) { timelines.set(button.dataset.timeline, text); cell.innerHTML = text; } else cell.textContent = text;
  } catch { cell.textContent = 'The board server is not answering.'; }
}
function closeTimeline(button) {
  openTimelines.delete(button.dataset.timeline);
  button.setAttribute('aria-expanded', 'false');
  const row = button.closest('tr').nextElementSibling;
  if (row && row.classList.contains('timeline-row')) row.hidden = true;
}
document.addEventListener('change', (event) => { if (event.target.id === 'tool') { localStorage.setItem('baton-tool', event.target.value); applyTool(); } });
document.addEventListener('click', async (event) => {
  const timeline = event.target.closest('button.show-timeline');
  if (timeline) { if (timeline.getAttribute('aria-expanded') === 'true') closeTimeline(timeline); else await loadTimeline(timeline); return; }
  const button = event.target.closest('button.copy'); if (!button) return;
  const text = button.previousElementSibling.textContent;
  try { await navigator.clipboard.writeText(text); button.textContent = 'copied'; } catch { button.textContent = 'select and copy'; }
  setTimeout(() => { button.textContent = 'copy'; }, 1500);
});
async function refresh() {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 15000);
  try {
    let response;
    try { response = await fetch('/content', { cache: 'no-store', signal: controller.signal }); }
    catch { showProblem('Disconnected: the board server is not answering; data from ' + dataTime() + '.'); return; }
    const text = await response.text();
    if (!response.ok) { showProblem('The board server could not read the board (' + response.status + '): ' + text.slice(0, 500) + ' Data from ' + dataTime() + '.'); return; }
    board.innerHTML = text;
    banner.hidden = true;
    board.classList.remove('stale');
    applyTool(); applyTimes();
    for (const url of openTimelines) {
      const button = [...board.querySelectorAll('button.show-timeline')].find((candidate) => candidate.dataset.timeline === url);
      if (button) loadTimeline(button); else openTimelines.delete(url);
    }
  } catch { showProblem('Disconnected: the board server is not answering; data from ' + dataTime() + '.'); }
  finally { clearTimeout(timer); setTimeout(refresh, Number(document.body.dataset.refresh) * 1000); }
}
applyTool(); applyTimes();
setTimeout(refresh, Number(document.body.dataset.refresh) * 1000);
`;
