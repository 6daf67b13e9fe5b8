#!/usr/bin/env node
/**
 * The `trainer:test` nx target serves two masters: `nx run-many -t test` (every project's unit tests, which
 * `npm test` runs) and `nx run trainer:test --config=NAME --checkpoint=FILE` (MMDetection's tools/test.py).
 * With detlab options it evaluates a checkpoint through the CLI; without any, it runs this package's vitest suite.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const wantsEvaluation = args.some((a) => /^--(config|checkpoint|c)(=|$)|^-c$/.test(a));
const result = wantsEvaluation
  ? spawnSync(process.execPath, [join(packageDir, 'dist', 'bin.js'), 'test', ...args], { stdio: 'inherit' })
  : spawnSync('npx', ['vitest', 'run', ...args], { stdio: 'inherit', cwd: packageDir });
process.exit(result.status ?? 1);
