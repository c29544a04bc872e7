// Token-expectation helpers that phrase every syntax error the same way: "expected X <context>, found Y".

import { describe, type LineLexer, type Token } from './lexer.ts';

export function punct(lx: LineLexer, p: string, context: string): Token {
  const t = lx.peek();
  if (t.kind === 'punct' && t.text === p) return lx.next();
  return lx.fail(`expected '${p}' ${context}, found ${describe(t)}`, t.loc);
}

/** A plain name; `what` reads like "a file name after ','". */
export function name(lx: LineLexer, what: string): Token {
  const t = lx.peek();
  if (t.kind === 'name') return lx.next();
  return lx.fail(`expected ${what}, found ${describe(t)}`, t.loc);
}

/** A name with inner '-' or '.' allowed (scenario, variant and property names). */
export function dashedName(lx: LineLexer, what: string): Token {
  const t = lx.peek();
  return lx.dashedName() ?? lx.fail(`expected ${what}, found ${describe(t)}`, t.loc);
}

/** A non-negative integer in lo..hi. `label` names the value in the range error ("fd", "data"). */
export function number(lx: LineLexer, what: string, label: string, lo: number, hi: number): Token {
  const t = lx.peek();
  if (t.kind !== 'number') return lx.fail(`expected ${what}, found ${describe(t)}`, t.loc);
  if (!(t.num >= lo && t.num <= hi)) lx.fail(`${label} ${t.text} is out of range (${lo}..${hi})`, t.loc);
  return lx.next();
}

export function endOfLine(lx: LineLexer, context: string): void {
  const t = lx.peek();
  if (t.kind !== 'eol') lx.fail(`expected end of line ${context}, found ${describe(t)}`, t.loc);
}

/** One of a fixed set of words; the message lists them. */
export function oneOf<W extends string>(lx: LineLexer, words: readonly W[], what: string): { word: W; tok: Token } {
  const t = lx.peek();
  const w = words.find((x) => t.kind === 'name' && t.text === x);
  if (w === undefined) return lx.fail(`expected ${what}, found ${describe(t)}`, t.loc);
  return { word: w, tok: lx.next() };
}

/** "a, b or c" */
export function orList(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}
