import MarkdownIt from 'markdown-it';
import { splitFrontmatter } from '../lib/frontmatter.js';
import { escapeHtml } from '../lib/html.js';

/**
 * A repository's Markdown as safe HTML for the dashboard. markdown-it with `html: false` escapes
 * every tag the document holds instead of passing it through, and its link check refuses
 * `javascript:`, `vbscript:`, `file:` and most `data:` URLs. Images become links, so a document
 * cannot make the browser fetch anything by being opened (the page's Content-Security-Policy refuses
 * such loads too). Frontmatter is shown as the text it is.
 */

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

markdown.renderer.rules.image = (tokens, index, options, env, self) => {
  const token = tokens[index];
  const source = token?.attrGet('src') ?? '';
  const alt = self.renderInlineAsText(token?.children ?? [], options, env);
  return `<a class="image-link" href="${escapeHtml(source)}" rel="noopener noreferrer">[image: ${escapeHtml(alt || source)}]</a>`;
};

const renderLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
  tokens[index]?.attrSet('rel', 'noopener noreferrer');
  return renderLinkOpen(tokens, index, options, env, self);
};

export function renderMarkdown(text: string): string {
  const { yaml, body } = splitFrontmatter(text);
  const head = yaml === undefined ? '' : `<pre class="frontmatter">${escapeHtml(yaml)}</pre>\n`;
  return head + markdown.render(body);
}
