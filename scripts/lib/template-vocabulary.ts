/**
 * What the release-artefact templates (templates/) may use. The scaffolding commands fill templates
 * with exactly these variables and helpers; the installer rejects a template that names anything else,
 * so a typo fails at build time rather than as an empty field in a user's spec.
 */

/** Variables a template may read. Unknown names are an error. */
export const TEMPLATE_VARIABLES = [
  'release',
  'slice',
  'track',
  'title',
  'date',
  'datetime',
  'integrationBranch',
  'releaseDir',
] as const;

/** Helpers a template may call: `{{yaml value}}` quotes a YAML scalar, `{{json value}}` a JSON string. */
export const TEMPLATE_HELPERS = ['yaml', 'json'] as const;

/** Handlebars' own block helpers, allowed in templates. */
export const TEMPLATE_BLOCK_HELPERS = ['if', 'unless', 'each'] as const;
