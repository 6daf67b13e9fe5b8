/**
 * Tests of tools/convert-pth.py. Its safetensors writer needs only Python; the conversion itself needs PyTorch,
 * which CI does not install, so that test runs only where some `python3` can `import torch` (set DETLAB_PYTHON to
 * pick one; Debian's python3-torch lives in /usr/bin/python3, which a pyenv `python3` may shadow).
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from './checkpoint-io.js';
import type { ParameterKind } from './layout.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from './safetensors.js';

const CONVERTER = fileURLToPath(new URL('../../../../tools/convert-pth.py', import.meta.url));

/** The first Python that can run `probe`, or undefined. */
function findPython(probe: string): string | undefined {
  const candidates = [process.env.DETLAB_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  return candidates.find((python) => spawnSync(python, ['-c', probe], { stdio: 'ignore', timeout: 60_000 }).status === 0);
}

const python = findPython('import sys; assert sys.version_info >= (3, 8)');
const torchPython = findPython('import torch');

function run(interpreter: string, args: string[]): { stdout: string; stderr: string } {
  // No __pycache__ left in tools/ by the import of the converter.
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  const result = spawnSync(interpreter, args, { encoding: 'utf8', timeout: 120_000, env });
  if (result.status !== 0) throw new Error(`${interpreter} ${args.join(' ')} failed:\n${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'detlab-convert-pth-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tools/convert-pth.py', () => {
  it.skipIf(!python)('writes the same bytes as encodeSafetensors for the same contents', async () => {
    const out = join(dir, 'python-writer.safetensors');
    const script = `
import importlib.util, struct, sys
spec = importlib.util.spec_from_file_location("convert_pth", sys.argv[1])
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)
tool.write_safetensors(sys.argv[2], {
    "conv.weight": ("F32", [2, 1, 1, 1], struct.pack("<2f", 1.5, -2.0)),
    "bn.num_batches_tracked": ("I64", [], struct.pack("<q", 7)),
    "half": ("F16", [2], struct.pack("<2e", 1.0, -2.0)),
    "mask": ("BOOL", [3], bytes([1, 0, 1])),
    "0": ("U8", [1], bytes([9])),
}, {"detlab.layout": "torch", "note": "\u00fcn\u00ef"})
`;
    run(python!, ['-c', script, CONVERTER, out]);
    const expected = encodeSafetensors(
      new Map<string, SafetensorsTensor>([
        ['conv.weight', { dtype: 'F32', shape: [2, 1, 1, 1], data: new Float32Array([1.5, -2]) }],
        ['bn.num_batches_tracked', { dtype: 'I64', shape: [], data: new Int32Array([7]) }],
        ['half', { dtype: 'F16', shape: [2], data: new Float32Array([1, -2]) }],
        ['mask', { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) }],
        ['0', { dtype: 'U8', shape: [1], data: new Uint8Array([9]) }],
      ]),
      { 'detlab.layout': 'torch', note: 'ünï' },
    );
    expect(new Uint8Array(await readFile(out))).toEqual(expected);
  });

  it.skipIf(!torchPython)(
    'converts an MMEngine-style .pth that loads with the same numbers after layout conversion',
    async () => {
      const [pth, expectedJson, out] = ['in.pth', 'expected.json', 'out.safetensors'].map((name) => join(dir, name));
      // A tiny torchvision-like state dict, saved as MMEngine does, plus its values in detlab layout per torch.
      const script = `
import json, sys, torch
from collections import OrderedDict
torch.manual_seed(0)
sd = OrderedDict()
sd["conv1.weight"] = torch.randn(4, 3, 3, 3)
sd["bn1.weight"] = torch.rand(4)
sd["bn1.bias"] = torch.randn(4)
sd["bn1.running_mean"] = torch.randn(4)
sd["bn1.running_var"] = torch.rand(4) + 0.5
sd["bn1.num_batches_tracked"] = torch.tensor(7)
sd["layer1.0.conv1.weight"] = torch.randn(2, 4, 1, 1).half()
sd["fc.weight"] = torch.randn(5, 2).to(torch.bfloat16)
sd["fc.bias"] = torch.randn(5, dtype=torch.float64)
state = OrderedDict(("module." + k, v) for k, v in sd.items())
state["module.version"] = 3
# No floats in meta: PyTorch < 2.0 cannot read them with weights_only=True.
torch.save({"meta": {"epoch": 12, "CLASSES": ("cat", "dog")}, "state_dict": state}, sys.argv[1])
kinds = {"conv1.weight": "conv", "layer1.0.conv1.weight": "conv", "fc.weight": "linear"}
expected = {}
for k, v in sd.items():
    kind = kinds.get(k, "other")
    d = v.permute(2, 3, 1, 0) if kind == "conv" else v.t() if kind == "linear" else v
    d = d if v.dtype == torch.int64 else d.float()
    expected[k] = {"kind": kind, "shape": list(d.shape), "values": d.flatten().tolist()}
json.dump(expected, open(sys.argv[2], "w"))
`;
      run(torchPython!, ['-c', script, pth, expectedJson]);
      const { stdout, stderr } = run(torchPython!, [CONVERTER, pth, out, '--prefix-strip', 'module.', '--prefix-add', 'backbone.']);
      expect(stdout).toContain(`wrote 9 tensors to ${out} (1 entries skipped)`);
      expect(stderr).toContain('skipped module.version (int)');

      const file = decodeSafetensors(await readFile(out), { file: out });
      expect(file.metadata['detlab.layout']).toBe('torch');
      expect(JSON.parse(file.metadata['detlab.meta']!)).toEqual({
        converted_from: 'in.pth',
        source_meta: { epoch: 12, CLASSES: ['cat', 'dog'] },
      });
      const fileDtypes = Object.fromEntries([...file.tensors].map(([name, t]) => [name, t.dtype]));
      expect(fileDtypes).toMatchObject({
        'backbone.bn1.num_batches_tracked': 'I64',
        'backbone.layer1.0.conv1.weight': 'F16',
        'backbone.fc.weight': 'BF16',
        'backbone.fc.bias': 'F64',
      });

      const expected = JSON.parse(await readFile(expectedJson, 'utf8')) as Record<
        string,
        { kind: ParameterKind; shape: number[]; values: number[] }
      >;
      const { state, metadata } = await loadCheckpoint(out, {
        kinds: (name) => expected[name.slice('backbone.'.length)]?.kind,
      });
      expect(metadata.converted_from).toBe('in.pth');
      expect([...state.keys()].sort()).toEqual(Object.keys(expected).map((name) => `backbone.${name}`).sort());
      for (const [name, { shape, values }] of Object.entries(expected)) {
        const tensor = state.get(`backbone.${name}`)!;
        expect(tensor.shape, name).toEqual(shape);
        expect([...tensor.dataSync()], name).toEqual(values);
      }
      for (const tensor of state.values()) tensor.dispose();
    },
    180_000,
  );
});
