// Builds the two programs with esbuild.
// - dist/baton-install.mjs runs from the installed package, so its dependencies stay in node_modules.
// - dist/baton.mjs is copied into every install and run with plain Node.js from there, far from any
//   node_modules, so it is bundled whole into one self-contained file.
import { build } from 'esbuild';
import { chmod, readFile } from 'node:fs/promises';

const shebang = '#!/usr/bin/env node';
// Bundled CommonJS dependencies call require(); an ES module has none, so give them one.
const requireShim = "import { createRequire as __batonCreateRequire } from 'node:module';\nconst require = __batonCreateRequire(import.meta.url);";

const { version } = JSON.parse(await readFile('package.json', 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  define: { __BATON_VERSION__: JSON.stringify(version) },
};

await build({
  ...common,
  entryPoints: ['installer/bin.ts'],
  outfile: 'dist/baton-install.mjs',
  packages: 'external',
  banner: { js: shebang },
});

await build({
  ...common,
  entryPoints: ['scripts/bin.ts'],
  outfile: 'dist/baton.mjs',
  banner: { js: `${shebang}\n${requireShim}` },
  loader: { '.md': 'text', '.json': 'json' },
});

await chmod('dist/baton-install.mjs', 0o755);
await chmod('dist/baton.mjs', 0o755);
