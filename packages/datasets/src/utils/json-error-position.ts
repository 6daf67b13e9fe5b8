/**
 * Where a JSON text first breaks the grammar, for error messages.
 *
 * V8's `JSON.parse` messages carry an offset only for some errors ("... in JSON at position 7"); Node 20's
 * "Unexpected token '}', ..." has none. This scanner walks the text once, without building values, and returns
 * the offset of the first character that cannot be there; it runs only after `JSON.parse` has failed.
 *
 * @example
 * jsonErrorOffset('{"a": }'); // 6
 * lineColumn('{\n "a": }', 8); // { line: 2, column: 7 }
 */

/**
 * The offset of the first syntax error in `text` (the text's length for a premature end), or -1 if it is valid.
 *
 * @example
 * jsonErrorOffset('[1, 2,]'); // 6
 */
export function jsonErrorOffset(text: string): number {
  const scanner = new Scanner(text);
  try {
    scanner.skipSpace();
    scanner.value();
    scanner.skipSpace();
    if (scanner.pos < text.length) throw new SyntaxErrorAt(scanner.pos);
    return -1;
  } catch (error) {
    if (error instanceof SyntaxErrorAt) return error.offset;
    throw error;
  }
}

/**
 * 1-based line and column of `offset` in `text` (lines end at `\n`; a `\r\n` pair counts as one break).
 *
 * @example
 * lineColumn('ab\ncd', 4); // { line: 2, column: 2 }
 */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i += 1) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class SyntaxErrorAt extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at ${offset}`);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Scanner {
  pos = 0;

  constructor(private readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos])) this.pos += 1;
  }

  value(): void {
    const c = this.text[this.pos];
    if (c === '{') this.object();
    else if (c === '[') this.array();
    else if (c === '"') this.string();
    else if (c === 't') this.literal('true');
    else if (c === 'f') this.literal('false');
    else if (c === 'n') this.literal('null');
    else this.number();
  }

  private object(): void {
    this.pos += 1;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos += 1;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail();
      this.string();
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      this.value();
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos += 1;
      else return this.expect('}');
    }
  }

  private array(): void {
    this.pos += 1;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos += 1;
      return;
    }
    for (;;) {
      this.skipSpace();
      this.value();
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos += 1;
      else return this.expect(']');
    }
  }

  private string(): void {
    this.pos += 1;
    while (this.pos < this.text.length) {
      const code = this.text.charCodeAt(this.pos);
      if (code === 34) {
        this.pos += 1;
        return;
      }
      if (code < 0x20) this.fail();
      if (code === 92) {
        const next = this.text[this.pos + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) this.fail(this.pos + 2);
          this.pos += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) this.pos += 2;
        else this.fail(this.pos + 1);
      } else this.pos += 1;
    }
    this.fail();
  }

  private literal(word: string): void {
    for (let i = 0; i < word.length; i += 1) if (this.text[this.pos + i] !== word[i]) this.fail(this.pos + i);
    this.pos += word.length;
  }

  private number(): void {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail();
    this.pos += match[0].length;
  }

  private expect(char: string): void {
    if (this.text[this.pos] !== char) this.fail();
    this.pos += 1;
  }

  private fail(at = this.pos): never {
    throw new SyntaxErrorAt(Math.min(at, this.text.length));
  }
}
