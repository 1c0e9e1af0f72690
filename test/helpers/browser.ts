import { mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT } from './run.js';

/**
 * A headless Chromium that needs nothing but `npm install`: @sparticuz/chromium ships the browser
 * inside its npm package (compressed) and unpacks it on first use. BATON_CHROMIUM names another
 * browser binary instead (Debian's /usr/bin/chromium, say).
 *
 * The package unpacks into `<os.tmpdir()>/chromium` and reuses whatever it finds there, even files
 * another version left, and a mix of versions crashes at start (seen: 153's libraries with 143's
 * binary, SIGTRAP). So it unpacks into a folder of its own version, by pointing TMPDIR there while
 * it does.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.BATON_CHROMIUM ?? (await unpackedChromium());
  return chromium.launch({
    executablePath,
    // As root in a container Chromium needs --no-sandbox; the rest keep it off a closed network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

async function unpackedChromium(): Promise<string> {
  const manifest = await readFile(path.join(REPO_ROOT, 'node_modules', '@sparticuz', 'chromium', 'package.json'), 'utf8');
  const { version } = JSON.parse(manifest) as { version: string };
  const folder = path.join(tmpdir(), `baton-chromium-${version}`);
  await mkdir(folder, { recursive: true });
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = folder;
  try {
    return await sparticuz.executablePath();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}
