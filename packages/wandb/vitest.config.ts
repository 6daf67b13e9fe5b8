import { detlabProject } from '../../vitest.shared.js';

// Every test run through @wandb/sdk takes 2-3 s (its sender polls once a second, reference/wandb.md §9.8).
export default detlabProject('wandb', { testTimeout: 20_000 });
