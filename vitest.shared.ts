/**
 * Vitest settings every detlab project shares.
 *
 * `@detlab/source` is the export condition that points a workspace package at its TypeScript source, so tests
 * run against `src/` without a build. Vitest transforms with esbuild, which honours `experimentalDecorators`
 * but emits no decorator metadata: code that tsyringe injects must name its tokens with `@inject(...)`.
 */
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

const conditions = ['@detlab/source', 'node', 'import', 'module', 'default'];

export function detlabProject(name: string, overrides: UserWorkspaceConfig['test'] = {}): UserWorkspaceConfig {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@detlab/source'] } },
    test: {
      name,
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts', '*.test.ts'],
      ...overrides,
    },
  });
}
