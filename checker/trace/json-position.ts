// Where in a JSON text a problem is: the line and column (1-based) of the value a JSON path names, or of the first
// syntax error. Only computed once a trace has been refused. A trace file can be 64 MiB, so neither builds a tree:
// the value is found by skipping over everything off the path, and the syntax error by jsonc-parser's scanner
// (VS Code's), stopped at the first error.

import { type ParseErrorCode, printParseErrorCode, visit } from 'jsonc-parser';

export interface JsonLoc {
  line: number;
  col: number;
}

/** Line and column of a UTF-16 offset (columns count UTF-16 units, as editors' "column" mostly does). */
function lineCol(text: string, offset: number): JsonLoc {
  let line = 1;
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
    line++;
    start = nl + 1;
  }
  return { line, col: offset - start + 1 };
}

/** The position of the value at `path` in `text`, which JSON.parse accepted; when the path runs into a key or an
 *  index the text lacks (a missing field), the position of the object or array that lacks it. Among duplicate keys
 *  the last counts, as in JSON.parse. */
export function locateValue(text: string, path: readonly (string | number)[]): JsonLoc {
  const n = text.length;
  let i = 0;
  const at = (): number => text.charCodeAt(i);
  const ws = (): void => {
    for (let c = at(); c === 32 || c === 10 || c === 13 || c === 9; c = at()) i++;
  };
  const skipString = (): void => {
    for (i++; i < n; i++) {
      const c = at();
      if (c === 92) i++;
      else if (c === 34) {
        i++;
        return;
      }
    }
  };
  const skipValue = (): void => {
    const c = at();
    if (c === 34) {
      skipString();
      return;
    }
    if (c === 123 || c === 91) {
      let depth = 0;
      while (i < n) {
        const d = at();
        if (d === 34) {
          skipString();
          continue;
        }
        if (d === 123 || d === 91) depth++;
        else if (d === 125 || d === 93) depth--;
        i++;
        if (depth === 0) return;
      }
      return;
    }
    // number, true, false, null
    for (let d = at(); i < n && d !== 44 && d !== 93 && d !== 125 && d !== 32 && d !== 10 && d !== 13 && d !== 9; d = at()) i++;
  };
  /** After a member or element: past the ',' if there is one. */
  const next = (): void => {
    ws();
    if (at() === 44) {
      i++;
      ws();
    }
  };

  ws();
  let found = i;
  for (const key of path) {
    let hit = -1;
    if (typeof key === 'string' && at() === 123) {
      i++;
      ws();
      while (i < n && at() !== 125) {
        const k0 = i;
        skipString();
        const raw = text.slice(k0 + 1, i - 1);
        const k = raw.includes('\\') ? (JSON.parse(text.slice(k0, i)) as string) : raw;
        ws();
        i++; // ':'
        ws();
        if (k === key) hit = i;
        skipValue();
        next();
      }
    } else if (typeof key === 'number' && at() === 91) {
      i++;
      ws();
      for (let idx = 0; i < n && at() !== 93; idx++) {
        if (idx === key) {
          hit = i;
          break;
        }
        skipValue();
        next();
      }
    }
    if (hit < 0) break;
    i = hit;
    found = hit;
  }
  return lineCol(text, found);
}

/** jsonc-parser's error names, in words. */
const SYNTAX: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'text after the JSON value',
  InvalidCommentToken: 'comments are not JSON',
  UnexpectedEndOfComment: 'comments are not JSON',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'malformed number',
  InvalidUnicode: 'malformed \\u escape',
  InvalidEscapeCharacter: 'invalid escape in a string',
  InvalidCharacter: 'control character in a string',
};

class FirstError {
  constructor(
    readonly code: ParseErrorCode,
    readonly loc: JsonLoc,
  ) {}
}

/** The first syntax error of a text JSON.parse refused: where and what; null when the scanner finds none (the two
 *  parsers disagree on some corner: the caller then words the error without a position). */
export function locateSyntaxError(text: string): { loc: JsonLoc; message: string } | null {
  try {
    visit(
      text,
      {
        onError: (code, _offset, _length, line, character) => {
          throw new FirstError(code, { line: line + 1, col: character + 1 });
        },
      },
      { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
    );
  } catch (e) {
    if (e instanceof FirstError) return { loc: e.loc, message: SYNTAX[printParseErrorCode(e.code)] ?? 'malformed JSON' };
    throw e;
  }
  return null;
}
