import MarkdownIt from 'markdown-it';
import { splitFrontmatter } from './frontmatter.js';

/**
 * Reading the protocol's Markdown the way a Markdown renderer does: a heading inside a code fence is
 * not a heading, a fence inside a list is still a fence. markdown-it does the tokenising, so these
 * rules follow CommonMark rather than a regular expression's idea of it.
 */

export interface FencedBlock {
  info: string;
  content: string;
  /** 1-based file line of the opening fence. */
  line: number;
}

export interface Section {
  title: string;
  level: number;
  /** 1-based file line of the heading. */
  line: number;
  /** The section's lines up to the next heading of the same or a higher level, without the heading. */
  text: string;
  /** 1-based file line of the first line of `text`. */
  textLine: number;
  fences: FencedBlock[];
}

const markdown = new MarkdownIt('commonmark');

/** Every heading of a Markdown document (frontmatter skipped) with the text it governs. */
export function readSections(text: string): Section[] {
  const { body, offset } = splitFrontmatter(text);
  const lines = body.split(/\r?\n/);
  const tokens = markdown.parse(body, {});
  const headings: { title: string; level: number; start: number; end: number }[] = [];
  const fences: (FencedBlock & { start: number })[] = [];
  tokens.forEach((token, index) => {
    if (token.type === 'heading_open' && token.map) {
      headings.push({ title: tokens[index + 1]?.content.trim() ?? '', level: Number(token.tag.slice(1)), start: token.map[0], end: token.map[1] });
    }
    if (token.type === 'fence' && token.map) {
      fences.push({ info: token.info.trim(), content: token.content, line: token.map[0] + 1 + offset, start: token.map[0] });
    }
  });
  return headings.map((heading, index) => {
    const next = headings.slice(index + 1).find((candidate) => candidate.level <= heading.level);
    const stop = next ? next.start : lines.length;
    return {
      title: heading.title,
      level: heading.level,
      line: heading.start + 1 + offset,
      text: lines.slice(heading.end, stop).join('\n'),
      textLine: heading.end + 1 + offset,
      fences: fences.filter((fence) => fence.start >= heading.end && fence.start < stop).map(({ start: _start, ...fence }) => fence),
    };
  });
}

/** The first section whose title matches, case and surrounding space ignored. */
export function findSection(sections: Section[], title: string): Section | undefined {
  const wanted = title.toLowerCase();
  return sections.find((section) => section.title.toLowerCase() === wanted);
}
