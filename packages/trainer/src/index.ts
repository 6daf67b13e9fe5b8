/** @detlab/trainer: the detlab application (`detlab <command>`, `nx run trainer:<command>`). */
export { main, USAGE, EXIT_USER_ERROR, EXIT_INTERNAL_ERROR } from './cli.js';
export { parseCli, type CliOptions } from './args.js';
export { loadRunConfig, type LoadRunConfigOptions } from './load-run-config.js';
