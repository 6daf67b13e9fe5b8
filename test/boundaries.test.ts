/**
 * The package map's one direction of imports (shared/ARCHITECTURE.md), checked on the source: no package
 * imports another against the arrows, and each declares in package.json every detlab package it imports.
 *
 * One reading of the map is made explicit here: `engine` may import `tensor` (optimizers and the runner work
 * on tensors and Modules).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages');

const ALLOWED: Record<string, string[]> = {
  core: [],
  // The native accelerator of tensor's wasm kernels: imports nothing of detlab's.
  onednn: [],
  tensor: ['core', 'onednn'],
  models: ['core', 'tensor'],
  datasets: ['core', 'tensor'],
  engine: ['core', 'tensor'],
  distill: ['core', 'tensor', 'models', 'engine'],
  wandb: ['core', 'engine'],
  trainer: ['core', 'tensor', 'models', 'datasets', 'engine', 'distill', 'wandb'],
  // A plugin as a third party writes one: base classes from core/tensor/models; distill only in its config test
  // (an optional peer dependency: its PKD config runs on @detlab/distill's SingleTeacherDistill).
  'plugin-example': ['core', 'tensor', 'models', 'distill'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === '__fixtures__' ? [] : sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function importedDetlabPackages(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  // Comments may show usage (`import { defineConfig } from '@detlab/core'` in a doc comment); only code counts.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(/(?:from|import)\s*\(?\s*['"]@detlab\/([\w-]+)/g)].map((m) => m[1]);
}

describe('package boundaries', () => {
  it('every package in the map exists, and no other', () => {
    const found = readdirSync(packagesDir).filter((n) => statSync(join(packagesDir, n)).isDirectory());
    expect(found.sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  for (const [pkg, allowed] of Object.entries(ALLOWED)) {
    it(`${pkg} imports only ${allowed.length ? allowed.join(', ') : 'no other detlab package'}, each declared as a dependency`, () => {
      const manifest = JSON.parse(readFileSync(join(packagesDir, pkg, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
      };
      const declared = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
      for (const file of sourceFiles(join(packagesDir, pkg, 'src'))) {
        for (const imported of importedDetlabPackages(file)) {
          // Naming itself is no arrow (core's tests write TS configs that import '@detlab/core').
          if (imported === pkg) continue;
          expect(allowed, `${file} imports @detlab/${imported}`).toContain(imported);
          expect(declared, `${file} imports @detlab/${imported}, not in package.json`).toContain(`@detlab/${imported}`);
        }
      }
    });
  }
});
