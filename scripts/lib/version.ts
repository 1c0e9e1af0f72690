/** Replaced at build time by esbuild (build.mjs) and in tests by vitest (vitest.config.ts). */
declare const __BATON_VERSION__: string;

/** The version of the baton package this program was built from. */
export const VERSION: string = __BATON_VERSION__;
