/**
 * Reads and parses a JSON file; a malformed file fails with its name, line and column, and the line itself.
 *
 * @example
 * const coco = readJsonFile('data/coco/annotations/instances_val2017.json');
 * // data/x.json:3:12: malformed JSON (Expected ',' or '}' after property value in JSON at position 41)
 * //     "bbox": [1 2, 3, 4]
 * //                ^
 */
import { readFileSync } from 'node:fs';
import { DetlabError } from '@detlab/core';
import { jsonErrorOffset, lineColumn } from './json-error-position.js';

/**
 * The parsed content of `file`; throws a `DetlabError` naming the file (and, for bad JSON, the line and column).
 * `what` says what the file is for, as in "annotation file".
 *
 * @example
 * readJsonFile('annotations/train.json', 'annotation file');
 */
export function readJsonFile(file: string, what = 'JSON file'): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    throw new DetlabError(`Cannot read the ${what} ${file}: ${reason}`, { cause: error });
  }
  return parseJsonText(text, file);
}

/**
 * Parses `text`; `source` names it in the error (`file:line:column`).
 *
 * @example
 * parseJsonText('{"a": }', 'inline'); // throws "inline:1:7: malformed JSON ..."
 */
export function parseJsonText(text: string, source: string): unknown {
  // A UTF-8 byte order mark is legal in files, not in JSON.parse.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    const offset = errorOffset(body, (error as Error).message);
    const { line, column } = lineColumn(body, offset);
    throw new DetlabError(`${source}:${line}:${column}: malformed JSON (${(error as Error).message})\n${excerpt(body, offset, column)}`, {
      hint: 'Fix the file at that position, or regenerate it.',
      cause: error,
    });
  }
}

/** V8's offset when the message has one, else the scanner's. */
function errorOffset(text: string, message: string): number {
  const match = /at position (\d+)/.exec(message);
  if (match) return Number(match[1]);
  const offset = jsonErrorOffset(text);
  return offset < 0 ? text.length : offset;
}

/** The offending line (cut to 120 characters around the column) with a caret under the column. */
function excerpt(text: string, offset: number, column: number): string {
  const start = offset - (column - 1);
  const end = text.indexOf('\n', start);
  const line = text.slice(start, end < 0 ? undefined : end).replace(/\r$/, '');
  const from = Math.max(0, column - 1 - 60);
  const shown = line.slice(from, from + 120);
  return `    ${shown}\n    ${' '.repeat(column - 1 - from)}^`;
}
