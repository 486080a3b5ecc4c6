/**
 * A strict reader for the subset of EDN that Jepsen histories use: maps with keyword keys,
 * vectors, keywords, strings, integers, `nil`, `true`, `false` (commas are whitespace). Anything
 * else (tags, symbols, floats, sets, comments, a second value on the line) is an error that says
 * where and what was expected.
 *
 * Why not a package: edn-data, the maintained EDN parser on npm, reads a truncated line as `nil`,
 * ignores whatever follows the first value and reads `#inst "x"` as an invalid date, so a damaged
 * history would be checked as if it were a different one. A history checker must refuse it.
 */

export class Keyword {
  constructor(readonly name: string) {}
  toString(): string {
    return `:${this.name}`;
  }
}

export type EdnValue = null | boolean | number | string | Keyword | readonly EdnValue[] | EdnMap;
/** A map with keyword keys, by keyword name, in the order written. */
export type EdnMap = ReadonlyMap<string, EdnValue>;

export class EdnError extends Error {
  override name = 'EdnError';
  constructor(
    message: string,
    /** 1-based column. */
    readonly column: number,
  ) {
    super(message);
  }
}

const SYMBOL_CHAR = /[A-Za-z0-9*+!_?<>=/.\-#$%&']/;

/** Reads exactly one value from `text` (surrounding whitespace and commas allowed). */
export function readEdn(text: string): EdnValue {
  const r = new Reader(text);
  r.skip();
  if (r.at >= text.length) throw new EdnError('expected an EDN value, found an empty line', r.at + 1);
  const value = r.value();
  r.skip();
  if (r.at < text.length) throw new EdnError(`expected the end of the line after one value, found '${text.slice(r.at, r.at + 12)}'`, r.at + 1);
  return value;
}

class Reader {
  at = 0;
  constructor(private readonly text: string) {}

  skip(): void {
    const t = this.text;
    while (this.at < t.length && (t[this.at] === ' ' || t[this.at] === ',' || t[this.at] === '\t' || t[this.at] === '\r' || t[this.at] === '\n')) this.at++;
  }

  private fail(expected: string): never {
    const found = this.at >= this.text.length ? 'the end of the line' : `'${this.text.slice(this.at, this.at + 12)}'`;
    throw new EdnError(`expected ${expected}, found ${found}`, this.at + 1);
  }

  value(): EdnValue {
    const t = this.text;
    const c = t[this.at];
    if (c === '{') return this.map();
    if (c === '[') return this.vector();
    if (c === '"') return this.string();
    if (c === ':') return new Keyword(this.name(1));
    if (c !== undefined && /[-+0-9]/.test(c)) {
      const m = /^[-+]?\d+/.exec(t.slice(this.at));
      if (m && !SYMBOL_CHAR.test(t[this.at + m[0].length] ?? ' ')) {
        const n = Number(m[0]);
        if (!Number.isSafeInteger(n)) this.fail(`an integer within ±${Number.MAX_SAFE_INTEGER}`);
        this.at += m[0].length;
        return n;
      }
    }
    for (const [word, v] of [['nil', null], ['true', true], ['false', false]] as const) {
      if (t.startsWith(word, this.at) && !SYMBOL_CHAR.test(t[this.at + word.length] ?? ' ')) {
        this.at += word.length;
        return v;
      }
    }
    return this.fail('a map, vector, keyword, string, integer, nil, true or false');
  }

  private name(from: number): string {
    const start = this.at + from;
    let end = start;
    while (end < this.text.length && SYMBOL_CHAR.test(this.text[end]!)) end++;
    if (end === start || !/^[A-Za-z*+!_?<>=.-]/.test(this.text[start]!)) {
      this.at = start;
      this.fail('a keyword name after ":"');
    }
    this.at = end;
    return this.text.slice(start, end);
  }

  private map(): EdnMap {
    this.at++; // {
    const map = new Map<string, EdnValue>();
    for (;;) {
      this.skip();
      if (this.text[this.at] === '}') {
        this.at++;
        return map;
      }
      if (this.text[this.at] !== ':') this.fail('a keyword key or "}"');
      const keyAt = this.at;
      const key = this.name(1);
      if (map.has(key)) {
        this.at = keyAt;
        this.fail(`a key not already in the map (:${key} appears twice)`);
      }
      this.skip();
      if (this.text[this.at] === '}' || this.at >= this.text.length) this.fail(`a value for :${key}`);
      map.set(key, this.value());
    }
  }

  private vector(): EdnValue[] {
    this.at++; // [
    const items: EdnValue[] = [];
    for (;;) {
      this.skip();
      if (this.text[this.at] === ']') {
        this.at++;
        return items;
      }
      if (this.at >= this.text.length) this.fail('"]"');
      items.push(this.value());
    }
  }

  private string(): string {
    const t = this.text;
    let out = '';
    let i = this.at + 1;
    for (;;) {
      const c = t[i];
      if (c === undefined) {
        this.at = i;
        this.fail('a closing \'"\'');
      }
      if (c === '"') break;
      if (c === '\\') {
        const e = t[i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r' };
        if (e === undefined || !(e in map)) {
          this.at = i;
          this.fail('a string escape (\\" \\\\ \\n \\t \\r)');
        }
        out += map[e]!;
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    this.at = i + 1;
    return out;
  }
}
