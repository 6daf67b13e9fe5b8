/**
 * Publishing, end to end: every @detlab package and the example plugin are packed with `npm pack`, installed
 * from the tarballs into a fresh project outside the monorepo (`npm install --offline`: third-party packages come
 * from the npm cache that `npm ci` filled, nothing from a registry), and the installed `detlab` bin trains and
 * validates a config-only experiment (YAML, no code) built on the plugin's PKD config, backbone and loss, which
 * distils with @detlab/distill's SingleTeacherDistill (its teacher checkpoint made first by a short script).
 * Then a plugin made by `nx g @detlab/tools:plugin` builds, passes its own tests, packs and installs the same way.
 *
 * Needs the built packages (`npm run build`; `nx run integration:test` builds them first).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureMnistDet } from '@detlab/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['core', 'onednn', 'tensor', 'models', 'datasets', 'engine', 'distill', 'wandb', 'trainer', 'plugin-example'];
const unbuilt = PACKAGES.filter((p) => !existsSync(join(root, 'packages', p, 'dist/index.js')));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(command: string, args: string[], cwd: string, timeout = 240_000): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, { cwd, timeout, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(error) };
  }
}

/** `npm pack` of the package in `dir` into `dest`; returns the tarball's path. */
async function pack(dir: string, dest: string): Promise<string> {
  const result = await run('npm', ['pack', '--json', '--pack-destination', dest], dir);
  expect(result.code, `npm pack in ${dir} failed:\n${result.stderr}`).toBe(0);
  const [info] = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return join(dest, info!.filename);
}

const CACHE_HINT = 'a dependency missing from the npm cache? run `npm ci` at the repo root once online';

/**
 * Installs the @detlab tarballs into `project` with `npm ci --offline`.
 *
 * Why a lockfile: `npm ci` at the root caches package *tarballs* (by integrity), but not the registry metadata
 * that `npm install <ranges>` needs to pick versions, so a plain `npm install --offline` fails with ENOTCACHED.
 * The project's package-lock.json is the monorepo's, with the workspace links replaced by the tarballs: every
 * third-party version is pinned to what the monorepo installed, and comes from the cache by integrity.
 */
async function installOffline(project: string, tarballs: Map<string, string>): Promise<void> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const dependencies = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
  const packages: Record<string, Record<string, unknown>> = { '': { name: 'detlab-e2e-project', dependencies } };
  const workspaceOf = new Map<string, string>(); // 'packages/core' → '@detlab/core'
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key.startsWith('node_modules/@detlab/') && entry.link) workspaceOf.set(String(entry.resolved), key.slice('node_modules/'.length));
  }
  for (const [key, lockEntry] of Object.entries(lock.packages)) {
    if (key === '' || lockEntry.link || lockEntry.dev) continue;
    const entry = withResolved(key, lockEntry);
    const nested = /^(.+?)\/node_modules\/(.+)$/.exec(key);
    if (key.startsWith('node_modules/')) packages[key] = entry;
    else if (nested && workspaceOf.has(nested[1]!)) packages[`node_modules/${workspaceOf.get(nested[1]!)}/node_modules/${nested[2]}`] = entry;
  }
  for (const [name, file] of tarballs) {
    const manifest = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as Record<string, unknown>;
    const { version, dependencies: deps, peerDependencies, peerDependenciesMeta, bin, license } = manifest;
    packages[`node_modules/${name}`] = { version, resolved: `file:${file}`, dependencies: deps, peerDependencies, peerDependenciesMeta, bin, license };
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'detlab-e2e-project', private: true, type: 'module', dependencies }, null, 2));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: 'detlab-e2e-project', lockfileVersion: 3, requires: true, packages }, null, 2));
  const result = await run('npm', ['ci', '--offline', '--omit=dev', '--no-audit', '--no-fund'], project);
  expect(result.code, `npm ci --offline in ${project} failed (${CACHE_HINT}):\n${result.stderr}`).toBe(0);
}

/**
 * A lock entry with its registry tarball URL. npm leaves `resolved` out of some entries; `npm ci` then asks the
 * registry for the package's metadata to find it, which `--offline` forbids. With the URL and the integrity the
 * tarball comes straight from the cache.
 */
function withResolved(key: string, entry: Record<string, unknown>): Record<string, unknown> {
  if (entry.resolved || typeof entry.version !== 'string' || typeof entry.integrity !== 'string') return entry;
  const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const base = name.slice(name.lastIndexOf('/') + 1);
  return { ...entry, resolved: `https://registry.npmjs.org/${name}/-/${base}-${entry.version}.tgz` };
}

describe.skipIf(unbuilt.length > 0)(`packed packages in a fresh project${unbuilt.length ? ` (skipped: packages/{${unbuilt.join(',')}}/dist missing; run npm run build)` : ''}`, () => {
  let work: string;
  let project: string;
  let tarballs: Map<string, string>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'detlab-e2e-'));
    project = join(work, 'project');
    mkdirSync(project);
    // In parallel: each `npm pack` is mostly node's start-up (about 1 s), so this saves several seconds.
    const files = await Promise.all(PACKAGES.map((p) => pack(join(root, 'packages', p), work)));
    tarballs = new Map(PACKAGES.map((p, i) => [`@detlab/${p}`, files[i]!]));
    await installOffline(project, tarballs);
  }, 300_000);

  afterAll(async () => {
    if (work && !process.env.DETLAB_KEEP_E2E) await rm(work, { recursive: true, force: true });
  }, 120_000);

  it('ships JS and .d.ts, no tests, sibling dependencies at the packed versions', () => {
    for (const p of PACKAGES) {
      const installed = join(project, 'node_modules/@detlab', p);
      const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
        version: string;
        exports: Record<string, Record<string, string> | string>;
        dependencies?: Record<string, string>;
      };
      const entry = manifest.exports['.'] as Record<string, string>;
      expect(existsSync(join(installed, entry.import!)), `${p}: exports import ${entry.import}`).toBe(true);
      expect(existsSync(join(installed, entry.types!)), `${p}: exports types ${entry.types}`).toBe(true);
      expect(existsSync(join(installed, 'src')), `${p}: src/ must not ship`).toBe(false);
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        if (dep.startsWith('@detlab/')) expect(range, `${p} depends on ${dep}`).toBe(manifest.version);
      }
    }
  });

  it('trains and validates a YAML-only PKD experiment on SingleTeacherDistill with the plugin backbone and loss', async () => {
    // One training iteration (4 images, batch 4) shows the losses as well as two would, at 5 s less.
    await ensureMnistDet(join(project, 'data/mnist_det'), { num_train: 4, num_val: 4 });
    const config = join(project, 'experiment.yaml');
    writeFileSync(
      config,
      [
        '# Config-only: the plugin distils into its MobileNetV2 student with PKD; one epoch of 1 iteration, then val.',
        "_base_: ['@detlab/plugin-example::configs/atss_mnv2_pkd_mnistdet.yaml']",
        'train_dataloader: { batch_size: 4, num_workers: 0 }',
        'val_dataloader: { batch_size: 4, num_workers: 0 }',
        'train_cfg: { max_epochs: 1 }',
        'default_hooks: { logger: { interval: 1 } }',
        'env_cfg: { backend: wasm }',
        '',
      ].join('\n'),
    );
    // The teacher checkpoint (teacher_ckpt is required), made with the installed packages as a user would: the
    // teacher node of the resolved config, built, initialised and saved. Untrained weights are enough here.
    const teacherCkpt = join(project, 'work_dirs/teacher.safetensors');
    const script = [
      `import { Config, MODELS, importCustomModules } from '@detlab/core';`,
      `import { initBackend, saveModule } from '@detlab/tensor';`,
      `await initBackend('wasm');`,
      `const config = await Config.fromFile(${JSON.stringify(config)});`,
      `await importCustomModules(config.data, { configFile: ${JSON.stringify(config)} });`,
      `const teacher = MODELS.build(config.data.model.teacher, { path: 'model.teacher' });`,
      `await teacher.initWeights();`,
      `await saveModule(${JSON.stringify(teacherCkpt)}, teacher);`,
      `console.log('teacher saved', teacher.namedParameters().length);`,
    ].join('\n');
    writeFileSync(join(project, 'make-teacher.mjs'), script);
    const made = await run(process.execPath, ['make-teacher.mjs'], project);
    expect(made.code, made.stdout + made.stderr).toBe(0);
    expect(existsSync(teacherCkpt)).toBe(true);
    const bin = join(project, 'node_modules/.bin/detlab');
    const result = await run(
      bin,
      ['train', `--config=${config}`, `--work-dir=${join(project, 'work_dirs/pkd')}`, '--cfg-options', `model.teacher_ckpt=${teacherCkpt}`],
      project,
    );
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(0);
    expect(output).toMatch(/distill\.loss_pkd/);
    expect(output).toMatch(/coco\/bbox_mAP/);
  }, 240_000);

  it('refuses the plugin under a @detlab/core outside its declared range, naming both versions', async () => {
    const manifestPath = join(project, 'node_modules/@detlab/plugin-example/package.json');
    const original = readFileSync(manifestPath, 'utf8');
    const manifest = JSON.parse(original) as { detlab: { core: string } };
    manifest.detlab.core = '^9.0.0';
    writeFileSync(manifestPath, JSON.stringify(manifest));
    try {
      const config = join(project, 'future.yaml');
      writeFileSync(config, "custom_imports: { imports: ['@detlab/plugin-example'] }\n");
      const result = await run(join(project, 'node_modules/.bin/detlab'), ['validate-config', `--config=${config}`], project);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Plugin @detlab/plugin-example@0.1.0');
      expect(result.stderr).toContain('supports @detlab/core ^9.0.0, but the running @detlab/core is 0.1.0');
    } finally {
      writeFileSync(manifestPath, original);
    }
  }, 60_000);

  it('packs, installs and loads a plugin made by nx g @detlab/tools:plugin, after its own build and tests', async () => {
    const name = `e2e${process.pid}`;
    const directory = `packages/plugin-${name}`;
    const dir = join(root, directory);
    try {
      const generated = await run(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'g', '@detlab/tools:plugin', name, '--no-interactive'], root);
      expect(generated.code, generated.stderr).toBe(0);
      const build = await run('npx', ['tsc', '-p', 'tsconfig.lib.json'], dir);
      expect(build.code, build.stdout + build.stderr).toBe(0);
      const tests = await run('npx', ['vitest', 'run'], dir);
      expect(tests.code, tests.stdout + tests.stderr).toBe(0);
      expect(tests.stdout).toMatch(/2 passed/);
      const tarball = await pack(dir, work);
      // Its only dependencies (zod, the @detlab peers) are installed already: nothing to look up.
      const added = await run('npm', ['install', '--offline', '--no-save', '--no-audit', '--no-fund', tarball], project);
      expect(added.code, `npm install ${tarball} failed (${CACHE_HINT}):\n${added.stderr}`).toBe(0);
      const script = [
        `import { MODELS } from '@detlab/core';`,
        `await import('@detlab/tensor').then((t) => t.initBackend('wasm'));`,
        `const { importCustomModules } = await import('@detlab/core');`,
        `await importCustomModules({ custom_imports: { imports: ['@detlab/plugin-${name}'] } });`,
        `const layer = MODELS.build({ type: '${name}.ChannelScale', channels: 3, init: 2 }, { path: 'model' });`,
        `console.log('params', layer.namedParameters().map(([n]) => n).join(','));`,
      ].join('\n');
      writeFileSync(join(project, 'generated.mjs'), script);
      const loaded = await run(process.execPath, ['generated.mjs'], project);
      expect(loaded.code, loaded.stderr).toBe(0);
      expect(loaded.stdout).toContain('params scale');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
