import { execa } from 'execa';
import { cp, mkdir, mkdtemp, readdir, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run pack-words [-- --ref <git ref>] [-- --json]`: the words each command's role must read before
 * it acts, as Claude Code shows the installed pack. A measurement to report, never a budget to test.
 *
 * Before acting, a session reads its command, the role skill the command names, and every rule that
 * the command or the skill tells it to read before doing something ("Read ... before ..." in one
 * sentence, or a paragraph ending in a colon with such a sentence and the list below it). The last
 * column adds every other rule either file names, which a session may open later.
 *
 * With --ref, the pack (commands/, skills/, rules/, templates/) is taken from that commit and rendered
 * by the installer built in dist/, so a before-and-after comparison differs only in the pack.
 */

const PACK_FOLDERS = ['commands', 'skills', 'rules', 'templates'];
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface RoleReading {
  command: string;
  role: string;
  commandWords: number;
  skillWords: number;
  /** Rules read before acting, with their words. */
  before: { rule: string; words: number }[];
  beforeTotal: number;
  /** Command, skill and every rule either file names. */
  linkedTotal: number;
}

const words = (text: string) => text.replace(/^---\n[\s\S]*?\n---\n/, '').match(/\S+/g)?.length ?? 0;

/** A package root holding the built installer and the pack of `ref`, or this repository. */
async function packageRoot(ref: string | undefined): Promise<string> {
  if (ref === undefined) return repoRoot;
  const root = await mkdtemp(path.join(tmpdir(), 'baton-pack-words-'));
  const archive = await execa('git', ['-C', repoRoot, 'archive', '--format=tar', ref, ...PACK_FOLDERS], { encoding: 'buffer' });
  await execa('tar', ['-x', '-C', root], { input: archive.stdout });
  await mkdir(path.join(root, 'dist'));
  for (const file of await readdir(path.join(repoRoot, 'dist'))) await cp(path.join(repoRoot, 'dist', file), path.join(root, 'dist', file));
  await symlink(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

/** Installs the pack for Claude Code into a fresh home and returns that tool's folder. */
async function install(root: string): Promise<string> {
  const home = await mkdtemp(path.join(tmpdir(), 'baton-pack-words-home-'));
  await execa('node', [path.join(root, 'dist', 'baton-install.mjs'), '--yes', '--target', 'claude'], { env: { PATH: process.env.PATH ?? '', HOME: home }, extendEnv: false, cwd: home });
  return path.join(home, '.claude');
}

/** The paragraphs (a lead-in ending in a colon keeps the list under it) that say to read something before acting. */
function readBeforeParagraphs(text: string): string[] {
  const blocks = text.split(/\n\s*\n/);
  const found: string[] = [];
  for (const [index, block] of blocks.entries()) {
    const sentences = block.split(/(?<=[.!?])\s+/);
    if (!sentences.some((sentence) => /\bread\b[\s\S]*\bbefore\b|\bbefore\b[\s\S]*\bread\b/i.test(sentence))) continue;
    found.push(/:\s*$/.test(block) ? `${block}\n${blocks[index + 1] ?? ''}` : block);
  }
  return found;
}

const rulesNamed = (text: string) => [...new Set([...text.matchAll(/baton\/rules\/([a-z-]+)\.md/g)].map((match) => match[1] as string))];

async function measure(claudeDir: string): Promise<RoleReading[]> {
  const read = (file: string) => readFile(path.join(claudeDir, file), 'utf8');
  const ruleWords = async (rule: string) => words(await read(`baton/rules/${rule}.md`));
  const readings: RoleReading[] = [];
  for (const file of (await readdir(path.join(claudeDir, 'commands'))).sort()) {
    const command = await read(`commands/${file}`);
    const role = /skills\/baton-([a-z]+)\/SKILL\.md/.exec(command)?.[1];
    if (role === undefined) throw new Error(`commands/${file} names no role skill`);
    const skill = await read(`skills/baton-${role}/SKILL.md`);
    const beforeRules = rulesNamed([command, skill].flatMap(readBeforeParagraphs).join('\n'));
    const before = await Promise.all(beforeRules.map(async (rule) => ({ rule, words: await ruleWords(rule) })));
    const linked = await Promise.all(rulesNamed(`${command}\n${skill}`).map(ruleWords));
    const base = words(command) + words(skill);
    readings.push({
      command: file.replace(/\.md$/, ''),
      role,
      commandWords: words(command),
      skillWords: words(skill),
      before,
      beforeTotal: base + before.reduce((sum, rule) => sum + rule.words, 0),
      linkedTotal: base + linked.reduce((sum, count) => sum + count, 0),
    });
  }
  return readings;
}

function table(readings: RoleReading[]): string {
  const rows = readings.map((r) => `| ${r.command} | ${r.role} | ${r.commandWords} | ${r.skillWords} | ${r.before.map((rule) => `${rule.rule} ${rule.words}`).join(', ') || 'none'} | ${r.beforeTotal} | ${r.linkedTotal} |`);
  return ['| command | role | command | skill | rules read before acting | before acting | with every linked rule |', '| --- | --- | --: | --: | --- | --: | --: |', ...rows].join('\n');
}

const args = process.argv.slice(2);
const refAt = args.indexOf('--ref');
const ref = refAt >= 0 ? args[refAt + 1] : undefined;
if (refAt >= 0 && ref === undefined) throw new Error('--ref needs a git ref, for example --ref main');
const readings = await measure(await install(await packageRoot(ref)));
console.log(args.includes('--json') ? JSON.stringify(readings, null, 2) : table(readings));
