import { detlabProject } from '../vitest.shared.js';

// These tests start the built CLI as a child process: give them time for Node start-up and nx.
export default detlabProject('integration', { include: ['**/*.test.ts'], exclude: ['**/node_modules/**'], testTimeout: 60_000 });
