import { defineProject } from 'vitest/config';

// Not detlabProject: its `module`/`import` resolve conditions hand @nx/devkit's CommonJS `require('ejs')` the
// ESM build, where `ejs.render` is missing. The generator needs no @detlab/source.
export default defineProject({
  test: { name: 'tools', environment: 'node', include: ['generators/**/*.test.{ts,js}'] },
});
