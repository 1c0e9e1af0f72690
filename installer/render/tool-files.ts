/** The bundled `baton` tool, read by the caller from dist/. */
export interface ToolBundle {
  /** dist/baton.mjs: the launcher, which runs the program from a V8 code cache. */
  batonScript: string;
  /** dist/baton-program.cjs: every baton command, with its dependencies bundled in. */
  programScript: string;
  /** dist/baton-tokenizer.cjs: the tokenizer baton brief counts with, loaded only by it (build.mjs says why). */
  tokenizerScript: string;
}

/**
 * A POSIX shell wrapper that runs the bundled tool beside it. It follows symbolic links to itself
 * first, so a link on the user's PATH (~/bin/baton -> .../bin/baton) still finds baton.mjs.
 */
function wrapper(description: string, subcommand: string): string {
  const args = subcommand ? `${subcommand} "$@"` : '"$@"';
  return [
    '#!/bin/sh',
    `# ${description}`,
    '# Installed by baton-install; runs baton.mjs beside it (which starts baton-program.cjs) with Node.js.',
    'self=$0',
    'while [ -h "$self" ]; do',
    '  link=$(readlink "$self")',
    '  case $link in',
    '    /*) self=$link ;;',
    '    *) self=$(dirname "$self")/$link ;;',
    '  esac',
    'done',
    `exec node "$(dirname "$self")/baton.mjs" ${args}`,
    '',
  ].join('\n');
}

/** The files of the installed bin/ directory: the bundle and the wrappers a prompt calls by path. */
export function toolFiles(bundle: ToolBundle): { name: string; content: string; mode: number }[] {
  return [
    { name: 'baton', content: wrapper('baton: the deterministic tools of the baton protocol.', ''), mode: 0o755 },
    { name: 'baton.mjs', content: bundle.batonScript, mode: 0o755 },
    { name: 'baton-program.cjs', content: bundle.programScript, mode: 0o644 },
    { name: 'baton-tokenizer.cjs', content: bundle.tokenizerScript, mode: 0o644 },
    { name: 'release-verify', content: wrapper('release-verify: the same as `baton verify`.', 'verify'), mode: 0o755 },
  ];
}
