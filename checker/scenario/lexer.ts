// Line-oriented lexer for .fdr scenarios. The language has no multi-line constructs, so the source is split
// into lines first and each code line gets its own on-demand lexer: the parser needs a second token mode
// (dashed names such as `rfc-v4` or `no-uaf`) only in a few positions, which a pre-tokenised stream could
// not express without making `P.fd` or `-EBADF` ambiguous.

import type { Loc } from './types.ts';

/** Raises a located error; the parser binds the file name so the lexer need not know it. */
export type Fail = (message: string, loc: Loc) => never;

export interface SourceLine {
  /** 1-based line number. */
  line: number;
  /** The line without its terminator (a trailing '\r' is dropped so CRLF files read the same). */
  text: string;
  /** Number of leading spaces/tabs; each counts as one column. */
  indent: number;
  kind: 'blank' | 'comment' | 'code';
}

export function splitLines(source: string): SourceLine[] {
  return source.split('\n').map((raw, i) => {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let indent = 0;
    while (indent < text.length && (text[indent] === ' ' || text[indent] === '\t')) indent++;
    const kind = indent === text.length ? 'blank' : text[indent] === '#' ? 'comment' : 'code';
    return { line: i + 1, text, indent, kind };
  });
}

export type TokenKind = 'name' | 'number' | 'string' | 'punct' | 'eol';

export interface Token {
  kind: TokenKind;
  /** The lexeme as written ('' for eol). */
  text: string;
  /** Numeric value of a number token (may exceed the safe range; callers range-check), else NaN. */
  num: number;
  /** Decoded contents of a string token, else ''. */
  str: string;
  loc: Loc;
}

// Longest first, so that `==` wins over `=` and `..` over `.`.
const PUNCT = ['==', '!=', '<=', '>=', '&&', '||', '..', '(', ')', '[', ']', ',', ':', ';', '=', '<', '>', '!', '|', '.', '-'];
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
// '~' joins a variant preset and the toggles it is run without (v6.2~ctl-del-nested-fix).
const DASHED_NAME = /[A-Za-z_][A-Za-z0-9_]*(?:[.~-][A-Za-z0-9_]+)*/y;

/** How a token reads in an error message: "found ')'", "found end of line". */
export function describe(t: Token): string {
  switch (t.kind) {
    case 'eol':
      return 'end of line';
    case 'string':
      return `string ${t.text.length > 24 ? `${t.text.slice(0, 20)}..."` : t.text}`;
    default:
      return `'${t.text}'`;
  }
}

function describeChar(s: string, i: number): string {
  const cp = s.codePointAt(i) ?? 0;
  const printable = cp > 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp <= 0xa0) && !/\s/u.test(String.fromCodePoint(cp));
  return printable ? `'${String.fromCodePoint(cp)}'` : `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

export class LineLexer {
  private pos: number;
  private peeked: Token | undefined;

  constructor(
    readonly src: SourceLine,
    readonly fail: Fail,
  ) {
    this.pos = src.indent;
  }

  peek(): Token {
    this.peeked ??= this.scan();
    return this.peeked;
  }

  next(): Token {
    const t = this.peek();
    this.peeked = undefined;
    this.pos = this.endOf(t);
    return t;
  }

  /** For the one two-token lookahead the grammar needs (`expect LABEL: ...`). */
  mark(): number {
    return this.pos;
  }

  reset(mark: number): void {
    this.pos = mark;
    this.peeked = undefined;
  }

  /** Consumes and returns the next token when it is the punctuation or name `text`. */
  eat(text: string): Token | undefined {
    const t = this.peek();
    return (t.kind === 'punct' || t.kind === 'name') && t.text === text ? this.next() : undefined;
  }

  isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  /** Scenario, variant and property names may contain inner '-' and '.', which are operators elsewhere. */
  dashedName(): Token | undefined {
    this.peeked = undefined;
    this.skipBlanks();
    DASHED_NAME.lastIndex = this.pos;
    const m = DASHED_NAME.exec(this.src.text);
    if (!m) return undefined;
    const t = this.token('name', m[0], this.pos);
    this.pos += m[0].length;
    return t;
  }

  /** Column where the code part of the line ends (start of a comment, or end of line); valid at eol. */
  codeEnd(): number {
    return this.peek().loc.col;
  }

  private endOf(t: Token): number {
    return t.kind === 'eol' ? t.loc.col - 1 : t.loc.col - 1 + t.text.length;
  }

  private skipBlanks(): void {
    const s = this.src.text;
    while (this.pos < s.length && (s[this.pos] === ' ' || s[this.pos] === '\t')) this.pos++;
  }

  private token(kind: TokenKind, text: string, at: number, num = NaN, str = ''): Token {
    return { kind, text, num, str, loc: { line: this.src.line, col: at + 1 } };
  }

  private scan(): Token {
    this.skipBlanks();
    const s = this.src.text;
    const at = this.pos;
    const c = s[at];
    if (c === undefined || c === '#') return this.token('eol', '', at);
    if (NAME_START.test(c)) {
      let j = at + 1;
      while (j < s.length && NAME_CHAR.test(s[j] ?? '')) j++;
      return this.token('name', s.slice(at, j), at);
    }
    if (c >= '0' && c <= '9') return this.scanNumber(at);
    if (c === '"') return this.scanString(at);
    const p = PUNCT.find((q) => s.startsWith(q, at));
    if (p) return this.token('punct', p, at);
    if (c === '&') this.fail(`unexpected character '&' (did you mean '&&'?)`, { line: this.src.line, col: at + 1 });
    return this.fail(`unexpected character ${describeChar(s, at)}`, { line: this.src.line, col: at + 1 });
  }

  private scanNumber(at: number): Token {
    const s = this.src.text;
    const hex = s[at] === '0' && (s[at + 1] === 'x' || s[at + 1] === 'X');
    let j = hex ? at + 2 : at;
    const digit = hex ? /[0-9A-Fa-f]/ : /[0-9]/;
    while (j < s.length && digit.test(s[j] ?? '')) j++;
    let end = j;
    while (end < s.length && NAME_CHAR.test(s[end] ?? '')) end++;
    const text = s.slice(at, end);
    if (end !== j || (hex && j === at + 2)) {
      this.fail(`malformed number '${text}' (expected decimal digits or 0x and hex digits)`, { line: this.src.line, col: at + 1 });
    }
    const num = hex ? parseInt(text.slice(2), 16) : parseInt(text, 10);
    return this.token('number', text, at, num);
  }

  private scanString(at: number): Token {
    const s = this.src.text;
    let out = '';
    let j = at + 1;
    for (;;) {
      const c = s[j];
      if (c === undefined) {
        return this.fail('unterminated string (a string must end on the line it starts)', { line: this.src.line, col: at + 1 });
      }
      if (c === '"') break;
      if (c === '\\') {
        const e = s[j + 1];
        if (e !== '"' && e !== '\\') {
          const what = e === undefined ? 'at end of line' : `'\\${e}'`;
          this.fail(`unknown escape ${what} in string (only \\" and \\\\ are allowed)`, { line: this.src.line, col: j + 1 });
        }
        out += e;
        j += 2;
        continue;
      }
      out += c;
      j++;
    }
    return this.token('string', s.slice(at, j + 1), at, NaN, out);
  }
}
