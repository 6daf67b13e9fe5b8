#!/usr/bin/env node
/**
 * Builds the oneDNN addon (build/Release/detlab_onednn.node) when oneDNN's headers and library are installed
 * (Debian/Ubuntu: `apt-get install libdnnl-dev`), and otherwise says why not and succeeds: the addon is an
 * accelerator, and without it @detlab/tensor runs every convolution on the wasm backend's own kernels.
 *
 * Run by the repository's `postinstall` (npm runs no install scripts of workspace packages) and by this package's
 * `install` when it is installed from the registry. `DETLAB_ONEDNN=0` skips the build; `DETLAB_ONEDNN=require`
 * makes a failed build fail the install (CI, where the tests of the native path must run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.env.DETLAB_ONEDNN ?? 'auto';
const say = (line) => console.log(`@detlab/onednn: ${line}`);

function finish(reason) {
  if (mode === 'require') {
    console.error(`@detlab/onednn: ${reason} (DETLAB_ONEDNN=require)`);
    process.exit(1);
  }
  say(`${reason}; convolutions will run on the wasm backend's kernels.`);
  process.exit(0);
}

if (mode === '0' || mode === 'off') {
  say('build skipped (DETLAB_ONEDNN=0).');
  process.exit(0);
}

const includeDirs = [process.env.DNNL_ROOT && join(process.env.DNNL_ROOT, 'include'), '/usr/include', '/usr/local/include'].filter(Boolean);
if (!includeDirs.some((dir) => existsSync(join(dir, 'oneapi', 'dnnl', 'dnnl.hpp')))) {
  finish(`oneDNN headers not found in ${includeDirs.join(', ')} (Debian/Ubuntu: apt-get install libdnnl-dev)`);
}

/** node-gyp as npm ships it: npm names it in npm_config_node_gyp inside scripts; otherwise next to node. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  return candidates.find((path) => existsSync(path));
}

const gyp = nodeGyp();
if (gyp === undefined) finish('node-gyp not found (it ships with npm)');
const env = { ...process.env };
if (process.env.DNNL_ROOT) {
  env.CXXFLAGS = `${env.CXXFLAGS ?? ''} -I${join(process.env.DNNL_ROOT, 'include')}`;
  env.LDFLAGS = `${env.LDFLAGS ?? ''} -L${join(process.env.DNNL_ROOT, 'lib')}`;
}
// Node's own headers, when this Node has them (official builds and Debian's do), so that node-gyp never tries
// to download them: npm passes its nodedir setting inside scripts, a direct run does not.
const prefix = join(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir ?? (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
const started = Date.now();
const result = spawnSync(process.execPath, [gyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])], { cwd: packageDir, env, encoding: 'utf8' });
if (result.status !== 0) {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
  if (output) console.error(output);
  finish(`node-gyp rebuild failed (exit ${result.status ?? result.signal})`);
}
say(`built build/Release/detlab_onednn.node in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
