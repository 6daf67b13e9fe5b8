/**
 * The PyTorch side of the ResNet-50 benchmarks: `bench/torch_resnet50_step.py` run with the first python3 that
 * imports torch (`DETLAB_PYTHON`, `python3`, `/usr/bin/python3`), or the reason there is none.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'torch_resnet50_step.py');

/** A python3 that imports torch, or `{ python: null, reason }`. */
export function findTorchPython() {
  const reasons = [];
  for (const python of [process.env.DETLAB_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean)) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, reason: undefined };
    reasons.push(`${python}: ${(probe.error?.message ?? probe.stderr.trim().split('\n').pop()) || 'failed'}`);
  }
  return { python: null, reason: `no python3 with torch (${reasons.join('; ')})` };
}

/** One torch timing (`{ median_ms, ... }` as the script prints it), or `{ result: null, reason }`. */
export function runTorchStep(python, { threads, warmup, steps, size, batch }) {
  // At least 3 warm-up steps: torch's first steps are 5–8× slower while its allocator and oneDNN settle.
  const args = [script, '--threads', String(threads), '--warmup', String(Math.max(warmup, 3)), '--steps', String(steps), '--size', String(size), '--batch', String(batch)];
  const run = spawnSync(python, args, { encoding: 'utf8' });
  if (run.status !== 0) return { result: null, reason: `${python} ${script} failed: ${run.stderr.trim().split('\n').pop()}` };
  return { result: JSON.parse(run.stdout.trim().split('\n').pop()), reason: undefined };
}
