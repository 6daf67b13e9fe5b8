/**
 * Worker entry in source mode: installs the TypeScript hooks for this thread, then imports the real entry (a
 * `.ts` file URL, the last argv entry). See hooks.mjs.
 */
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
await import(process.argv[process.argv.length - 1]);
