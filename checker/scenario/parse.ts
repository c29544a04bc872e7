// Entry point of the scenario parser. Single pass, line by line: names must be declared before use, so
// every check can run as soon as its line is read and the first error in the file is the one reported.
// Only whole-file requirements (a thread, a variants line, one result per variant) wait for the end.

import { LIMITS } from './constants.ts';
import { epollStmt, fdLine, fileStmt, opLine, processStmt, scenarioStmt, threadStmt, titleStmt, watchStmt } from './declarations.ts';
import { describe, LineLexer, splitLines, type Fail, type SourceLine, type Token } from './lexer.ts';
import { isOpName } from './ops.ts';
import { checkStmt, expectStmt, optionStmt, resultStmt, variantsStmt } from './outcomes.ts';
import { Scope } from './scope.ts';
import type { ParseOptions, State } from './state.ts';
import { orList } from './syntax.ts';
import { ScenarioError, type Loc, type Scenario } from './types.ts';

export { BUILTIN_PROPERTIES, ERRNO, EVENT_BITS, eventsToByte } from './constants.ts';
export type { ParseOptions } from './state.ts';

type Handler = (lx: LineLexer, st: State, kw: Token) => void;

const STATEMENTS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['scenario', scenarioStmt],
  ['title', titleStmt],
  ['file', fileStmt],
  ['epoll', epollStmt],
  ['process', processStmt],
  ['watch', watchStmt],
  ['thread', threadStmt],
  ['expect', expectStmt],
  ['check', checkStmt],
  ['variants', variantsStmt],
  ['result', resultStmt],
  ['option', optionStmt],
]);

/**
 * Parses and validates a .fdr scenario. Throws ScenarioError (and nothing else) at the first problem, with
 * the 1-based line:col of the offending token. `file` only labels errors.
 */
export function parseScenario(source: string, file = '<input>', opts: ParseOptions = {}): Scenario {
  const fail: Fail = (message, loc) => {
    throw new ScenarioError(message, loc, file);
  };
  const lines = splitLines(source);
  const st: State = {
    s: {
      name: '',
      title: '',
      doc: [],
      source,
      files: [],
      processes: [],
      watches: [],
      threads: [],
      expectations: [],
      checks: [],
      variants: [],
      results: [],
      options: { faults: 0, maxUserWatches: 64 },
    },
    scope: new Scope(lines, fail),
    opts,
    fail,
    pastHeader: false,
    watchKeys: new Map(),
    labels: new Map(),
    checks: new Map(),
    optionLines: new Map(),
    variantLocs: new Map(),
    resultLines: new Map(),
  };
  for (const line of lines) {
    if (line.kind === 'comment' && !st.pastHeader) st.s.doc.push(docText(line));
    if (line.kind !== 'code') continue;
    const lx = new LineLexer(line, fail);
    if (line.indent > 0) {
      blockLine(lx, st);
    } else {
      closeBlock(st);
      statement(lx, st);
    }
  }
  closeBlock(st);
  finish(st, endOfInput(lines));
  return st.s;
}

function docText(line: SourceLine): string {
  const body = line.text.slice(line.indent + 1);
  return (body.startsWith(' ') ? body.slice(1) : body).trimEnd();
}

function endOfInput(lines: readonly SourceLine[]): Loc {
  const last = lines[lines.length - 1];
  return { line: lines.length, col: (last?.text.length ?? 0) + 1 };
}

function statement(lx: LineLexer, st: State): void {
  const kw = lx.peek();
  if (!st.named && !(kw.kind === 'name' && kw.text === 'scenario')) {
    lx.fail(`expected 'scenario NAME' as the first statement, found ${describe(kw)}`, kw.loc);
  }
  const handler = kw.kind === 'name' ? STATEMENTS.get(kw.text) : undefined;
  if (!handler) {
    const expected = `expected ${orList([...STATEMENTS.keys()])}`;
    if (kw.kind !== 'name') lx.fail(`expected a statement (${[...STATEMENTS.keys()].join(', ')}), found ${describe(kw)}`, kw.loc);
    if (kw.text === 'fd') lx.fail(`'fd' lines belong indented under a 'process' header`, kw.loc);
    if (isOpName(kw.text)) lx.fail(`operation '${kw.text}' belongs indented under a 'thread' header`, kw.loc);
    lx.fail(`unknown statement '${kw.text}' (${expected})`, kw.loc);
  }
  lx.next();
  handler(lx, st, kw);
}

function blockLine(lx: LineLexer, st: State): void {
  const b = st.block;
  if (b === undefined) {
    lx.fail(`unexpected indentation: only the lines under a 'process' or 'thread' header are indented`, lx.peek().loc);
  }
  if (b.kind === 'process') fdLine(lx, st, b.decl, b.fdLines);
  else opLine(lx, st, b);
}

/** Ends the current block; a thread must have done something by then. */
function closeBlock(st: State): void {
  const b = st.block;
  st.block = undefined;
  if (b?.kind === 'thread' && b.decl.ops.length === 0) {
    st.fail(`thread ${b.decl.name} has no operations (expected 1 to ${LIMITS.maxOpsPerThread} indented operation lines under it)`, b.nameTok.loc);
  }
}

function finish(st: State, eof: Loc): void {
  if (!st.named) st.fail(`empty scenario: expected 'scenario NAME'`, eof);
  if (st.s.threads.length === 0) st.fail(`no threads: a scenario needs at least one 'thread NAME in PROCESS'`, eof);
  if (st.variantsLine === undefined) st.fail(`no 'variants' line: at least one variant is required`, eof);
  for (const [v, loc] of st.variantLocs) {
    if (!st.resultLines.has(v)) st.fail(`no 'result' line for variant '${v}'`, loc);
  }
}
