import { main } from './example-release.js';

await main(process.argv.slice(2));
