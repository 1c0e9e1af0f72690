import { pathToFileURL } from 'node:url';

/**
 * import.meta.url for the CommonJS program (build.mjs injects this module and points import.meta.url
 * at it): the program file's URL, which the templates path in main.ts and yargs' own set-up read.
 */
export const programUrl = pathToFileURL(__filename).href;
