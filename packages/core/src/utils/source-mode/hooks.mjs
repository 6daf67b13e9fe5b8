/**
 * Node module hooks that let a worker thread run detlab's TypeScript sources, as vitest does in the test
 * process: only used when a package runs from `src/` (tests, development), never from the built `dist/`.
 *
 * resolve: adds the `@detlab/source` export condition, so `@detlab/core` resolves to its `src/index.ts` like
 * under vitest, and maps a missing `./x.js` to `./x.ts` (NodeNext sources import siblings by their .js name).
 * load: strips types from `.ts` files with esbuild (legacy decorators on, as tsconfig.base.json has them).
 * esbuild is the one vite already installs; it emits no decorator metadata, the same as vitest.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const SOURCE_CONDITION = '@detlab/source';

export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes(SOURCE_CONDITION) ? context.conditions : [...context.conditions, SOURCE_CONDITION];
  const withSource = { ...context, conditions };
  try {
    return await nextResolve(specifier, withSource);
  } catch (error) {
    const local = specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('file:');
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && local && specifier.endsWith('.js')) {
      return nextResolve(`${specifier.slice(0, -3)}.ts`, withSource);
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const { code } = await transform(source, {
    loader: 'ts',
    format: 'esm',
    target: 'es2022',
    sourcemap: 'inline',
    sourcefile: fileURLToPath(url),
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: true } },
  });
  return { format: 'module', source: code, shortCircuit: true };
}
