import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonText, readJsonFile } from './read-json-file.js';

describe('readJsonFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detlab-json-'));

  it('parses a valid file, with or without a byte order mark', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, '\ufeff{"images": []}');
    expect(readJsonFile(file)).toEqual({ images: [] });
  });

  it('names the file, line and column of malformed JSON, with the line and a caret', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{\n  "images": [],\n  "annotations": [{"bbox": [1 2, 3, 4]}]\n}\n');
    let message = '';
    try {
      readJsonFile(file, 'annotation file');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`${file}:3:31: malformed JSON`);
    expect(message).toContain('  "annotations": [{"bbox": [1 2, 3, 4]}]');
    expect(message).toMatch(/\n {4} {30}\^/);
  });

  it('finds the position when V8 gives none (unexpected token)', () => {
    expect(() => parseJsonText('{\n"a": }', 'inline.json')).toThrow(/^inline\.json:2:6: malformed JSON/);
  });

  it('reports a truncated file at its end', () => {
    expect(() => parseJsonText('{"images": [', 'cut.json')).toThrow(/^cut\.json:1:13: malformed JSON/);
  });

  it('says when the file is missing', () => {
    expect(() => readJsonFile(join(dir, 'nope.json'), 'annotation file')).toThrow(
      `Cannot read the annotation file ${join(dir, 'nope.json')}: it does not exist`,
    );
  });
});
