import { BRIEF_LEVELS, type Brief } from '../brief/brief.js';
import { escapeHtml } from '../lib/html.js';
import type { BriefChoice } from './brief-query.js';
import { renderDocumentPage } from './dashboard-page.js';
import { renderMarkdown } from './render-markdown.js';

/**
 * A brief as the dashboard shows it: its digest and token count, the `baton brief` command that prints
 * the same bytes, links to the brief for each other role and level, then its text rendered as the
 * dashboard renders every document (escaped; no raw HTML). Pure: brief in, page out.
 */

export interface BriefPageInput {
  repository: string;
  brief: Brief;
  /** What the page's query asked for; the brief names what it resolved to. */
  asked: BriefChoice;
  /** The roles offered as links: all four for a slice, the planner and the integrator for a release. */
  roles: readonly string[];
}

export function renderBriefPage(input: BriefPageInput): string {
  const { brief } = input;
  const about = brief.slice ?? brief.release;
  const meta = `Release ${brief.release}. Read-only: the brief baton brief assembles from this repository now, for the ${brief.role}${input.asked.role ? '' : ' (the role its state calls for)'}, level ${brief.level}.`;
  return renderDocumentPage({ repository: input.repository, title: `${about} · brief`, meta, lead: renderFacts(input), body: renderMarkdown(brief.text) });
}

function renderFacts({ brief, roles }: BriefPageInput): string {
  const command = ['baton brief', brief.slice, brief.release, '--role', brief.role, '--level', brief.level].filter(Boolean).join(' ');
  const link = (role: string, level: string, label: string, current: boolean) =>
    `<a href="${escapeHtml(briefHref(brief, role, level))}"${current ? ' aria-current="page"' : ''}>${escapeHtml(label)}</a>`;
  const roleLinks = roles.map((role) => link(role, brief.level, role, role === brief.role));
  const levelLinks = BRIEF_LEVELS.map((level) => link(brief.role, level, level, level === brief.level));
  return `<section class="brief-facts">
<p>Digest <code class="digest">${escapeHtml(brief.digest)}</code> · <span class="tokens">${brief.tokens}</span> tokens, counted with ${escapeHtml(brief.tokenizer)}.</p>
<p>The same bytes in a terminal: <code class="brief-command">${escapeHtml(command)}</code>. A session that starts from it adds <code>--brief ${escapeHtml(brief.digest)}</code> to each baton command that records a state change.</p>
<nav class="brief-choices" aria-label="Other briefs"><p class="roles">Role: ${roleLinks.join(' ')}</p><p class="levels">Level: ${levelLinks.join(' ')}</p></nav>
</section>
`;
}

/** `/brief/<release>[/<slice>]?role=…&level=…`, the ids percent-encoded. */
export function briefHref(target: { release: string; slice: string | null }, role: string, level: string): string {
  const ids = [target.release, ...(target.slice ? [target.slice] : [])].map((id) => encodeURIComponent(id)).join('/');
  return `/brief/${ids}?${new URLSearchParams({ role, level }).toString()}`;
}
