import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Config } from './config.js';
import { diffConfigs, dumpConfig, type ConfigDumpFormat } from './dump.js';

const tmp = mkdtempSync(join(tmpdir(), 'detlab-dump-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Values that are easy to get wrong: strings that look like other types, quotes, newlines, odd keys.
const data = {
  default_scope: 'detlab',
  model: {
    type: 'ATSS',
    backbone: { type: 'ResNet', depth: 50, out_indices: [0, 1, 2, 3], norm_cfg: { type: 'BN', requires_grad: true } },
    bbox_head: { loss_cls: { type: 'FocalLoss', gamma: 2.0, alpha: 0.25 }, strides: [8, 16, 32, 64, 128] },
  },
  load_from: null,
  look_alikes: ['1', 'true', 'null', '', ' padded ', '0x10', "it's", 'say "hi"', 'back\\slash', 'two\nlines', '{{ not a placeholder'],
  'odd-key': { '0': 'zero', 'with space': 1, $ok: 2 },
  numbers: [-1, 0.5, 1e-4, 123456789, -0.25],
  nested: [[1, [2, [3]]], { a: [] , b: {} }],
  long_list: Array.from({ length: 40 }, (_, i) => i),
};

describe('dumpConfig', () => {
  it('writes JSON with 2-space indents', () => {
    expect(dumpConfig({ a: { b: [1] } }, 'json')).toBe('{\n  "a": {\n    "b": [\n      1\n    ]\n  }\n}\n');
  });

  it('writes YAML', () => {
    expect(dumpConfig({ a: { b: [1, 'x'] }, c: null }, 'yaml')).toBe('a:\n  b:\n    - 1\n    - x\nc: null\n');
  });

  it('writes a TS module with identifier keys unquoted and short values on one line', () => {
    expect(dumpConfig({ model: { type: 'ATSS', neck: { out_channels: 256 } }, 'odd-key': [1, 2] }, 'ts')).toBe(
      "import { defineConfig } from '@detlab/core';\n\n" +
        "export default defineConfig({\n  model: { type: 'ATSS', neck: { out_channels: 256 } },\n  'odd-key': [1, 2],\n});\n",
    );
  });

  it.each<ConfigDumpFormat>(['json', 'yaml', 'ts'])('round-trips through Config.fromFile as %s', async (format) => {
    const file = join(tmp, `dumped.${format}`);
    writeFileSync(file, dumpConfig(data, format));
    expect((await Config.fromFile(file, { env: {} })).data).toEqual(data);
  });
});

describe('diffConfigs', () => {
  const a = { model: { type: 'ATSS', backbone: { depth: 50 } }, lr: 0.01 };

  it('gives an empty string for equal configs, whatever their key order', () => {
    expect(diffConfigs(a, { lr: 0.01, model: { backbone: { depth: 50 }, type: 'ATSS' } })).toBe('');
  });

  it('gives a unified diff of the YAML dumps, with the labels in the header', () => {
    const b = { model: { type: 'ATSS', backbone: { depth: 101 } }, lr: 0.01 };
    expect(diffConfigs(a, b, { labels: ['r50.ts', 'r101.ts'] })).toBe(
      '--- r50.ts\n+++ r101.ts\n@@ -1,5 +1,5 @@\n model:\n   type: ATSS\n   backbone:\n-    depth: 50\n+    depth: 101\n lr: 0.01\n',
    );
  });

  it('colours removed lines red and added lines green on request', () => {
    const diff = diffConfigs(a, { ...a, lr: 0.02 }, { color: true });
    expect(diff).toContain('\u001b[31m-lr: 0.01\u001b[0m');
    expect(diff).toContain('\u001b[32m+lr: 0.02\u001b[0m');
    expect(diff).toContain('\u001b[1m--- a\u001b[0m');
  });
});
