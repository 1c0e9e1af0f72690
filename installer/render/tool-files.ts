/** The bundled `baton` tool, read by the caller from dist/baton.mjs. */
export interface ToolBundle {
  batonScript: string;
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
    '# Installed by baton-install; runs the self-contained baton.mjs beside it with Node.js.',
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
export function toolFiles(bundle: ToolBundle): { name: string; content: string }[] {
  return [
    { name: 'baton', content: wrapper('baton: the deterministic tools of the baton protocol.', '') },
    { name: 'baton.mjs', content: bundle.batonScript },
    { name: 'release-verify', content: wrapper('release-verify: the same as `baton verify`.', 'verify') },
  ];
}
