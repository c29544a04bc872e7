// Statements that build the initial state: scenario/title, files, epolls, processes (+ fd lines),
// watches and threads (+ operation lines).

import { LIMITS } from './constants.ts';
import { didYouMean } from '../suggest.ts';
import { describe, type LineLexer, type Token } from './lexer.ts';
import { parseData, parseEvents } from './events.ts';
import { parseOp } from './ops.ts';
import type { State } from './state.ts';
import { dashedName, endOfLine, name, number, oneOf, punct } from './syntax.ts';
import type { EventName, ProcessDecl, ThreadDecl } from './types.ts';

export function scenarioStmt(lx: LineLexer, st: State, kw: Token): void {
  if (st.named) lx.fail(`the scenario is already named at line ${st.named.line}`, kw.loc);
  st.s.name = dashedName(lx, "a scenario name after 'scenario'").text;
  st.named = kw.loc;
  endOfLine(lx, 'after the scenario name');
}

export function titleStmt(lx: LineLexer, st: State, kw: Token): void {
  if (st.titleLine !== undefined) lx.fail(`the title is already set at line ${st.titleLine}`, kw.loc);
  const t = lx.peek();
  if (t.kind !== 'string') lx.fail(`expected a string after 'title' (title "..."), found ${describe(t)}`, t.loc);
  st.s.title = lx.next().str;
  st.titleLine = kw.loc.line;
  endOfLine(lx, 'after the title');
}

export function fileStmt(lx: LineLexer, st: State, kw: Token): void {
  st.pastHeader = true;
  const n = name(lx, "a file name after 'file'");
  st.scope.checkFree(n);
  const { word: kind } = oneOf(lx, ['socket', 'regular'] as const, "'socket' or 'regular' after the file name");
  st.scope.declare(n, 'file', kind);
  endOfLine(lx, 'after the file kind');
  st.s.files.push({ name: n.text, kind, loc: kw.loc });
}

export function epollStmt(lx: LineLexer, st: State, kw: Token): void {
  st.pastHeader = true;
  const n = name(lx, "an epoll name after 'epoll'");
  st.scope.declare(n, 'epoll', 'epoll');
  endOfLine(lx, 'after the epoll name');
  st.s.files.push({ name: n.text, kind: 'epoll', loc: kw.loc });
}

export function processStmt(lx: LineLexer, st: State, kw: Token): void {
  st.pastHeader = true;
  const n = name(lx, "a process name after 'process'");
  // Declared only after `shares` is resolved, so "declared: ..." lists never offer the process itself.
  st.scope.checkFree(n);
  const decl: ProcessDecl = { name: n.text, fds: [], loc: kw.loc };
  if (lx.eat('shares')) {
    const other = name(lx, "a process name after 'shares'");
    if (other.text === n.text) lx.fail(`process '${n.text}' cannot share its own table`, other.loc);
    st.scope.resolve(other, 'process');
    const target = st.s.processes.find((p) => p.name === other.text);
    if (target?.shares !== undefined) {
      lx.fail(`'${other.text}' itself shares the table of '${target.shares}'; write 'shares ${target.shares}'`, other.loc);
    }
    decl.shares = other.text;
    endOfLine(lx, 'after the shared process name');
  } else {
    endOfLine(lx, "after the process name (or 'shares OTHER')");
  }
  st.scope.declare(n, 'process');
  st.s.processes.push(decl);
  st.block = { kind: 'process', decl, fdLines: new Map() };
}

/** `fd N = FILE` / `fd LO..HI = FILE` under a process header. */
export function fdLine(lx: LineLexer, st: State, decl: ProcessDecl, fdLines: Map<number, number>): void {
  const kw = lx.peek();
  if (decl.shares !== undefined) {
    lx.fail(`process '${decl.name}' shares the table of '${decl.shares}' and cannot have fd lines`, kw.loc);
  }
  if (kw.kind !== 'name' || kw.text !== 'fd') {
    lx.fail(`expected 'fd N = FILE' in the block of process '${decl.name}', found ${describe(kw)}`, kw.loc);
  }
  lx.next();
  const loTok = number(lx, "an fd number after 'fd'", 'fd', 0, LIMITS.maxFd);
  let hiTok = loTok;
  if (lx.eat('..')) {
    hiTok = number(lx, "an fd number after '..'", 'fd', 0, LIMITS.maxFd);
    if (hiTok.num < loTok.num) lx.fail(`empty fd range ${loTok.text}..${hiTok.text} (the first fd must not exceed the last)`, hiTok.loc);
  }
  const lo = loTok.num;
  const hi = hiTok.num;
  for (let fd = lo; fd <= hi; fd++) {
    const first = fdLines.get(fd);
    if (first !== undefined) {
      lx.fail(`fd ${fd} is declared twice in process ${decl.name} (first at line ${first})`, fd === hi ? hiTok.loc : loTok.loc);
    }
  }
  const maxFds = st.s.options.maxFds;
  if (maxFds !== undefined && hi >= maxFds) {
    const bad = lo >= maxFds ? loTok : hiTok;
    lx.fail(`fd ${Math.max(lo, maxFds)} is not below max_fds ${maxFds} (set at line ${st.optionLines.get('max_fds')})`, bad.loc);
  }
  punct(lx, '=', lo === hi ? 'after the fd number' : 'after the fd range');
  const file = name(lx, "a file name after '='");
  st.scope.resolve(file, 'file');
  endOfLine(lx, 'after the file name');
  for (let fd = lo; fd <= hi; fd++) {
    fdLines.set(fd, kw.loc.line);
    decl.fds.push({ fd, file: file.text, loc: kw.loc });
  }
  if (st.maxFd === undefined || hi > st.maxFd.fd) st.maxFd = { fd: hi, line: kw.loc.line, process: decl.name };
}

export function watchStmt(lx: LineLexer, st: State, kw: Token): void {
  const ep = name(lx, "an epoll name after 'watch'");
  st.scope.resolve(ep, 'epoll');
  punct(lx, '(', 'after the epoll name');
  const file = name(lx, "a file name after '('");
  const fileKind = st.scope.resolve(file, 'file');
  if (file.text === ep.text) lx.fail(`epoll '${ep.text}' cannot watch itself (epoll_ctl gives EINVAL)`, file.loc);
  if (fileKind === 'regular') {
    lx.fail(`'${file.text}' is a regular file and cannot be watched (epoll_ctl ADD gives EPERM)`, file.loc);
  }
  punct(lx, ',', 'after the file name');
  const fdTok = number(lx, "an fd number after ','", 'fd', 0, LIMITS.maxFd);
  punct(lx, ')', 'after the fd number');
  const keyStr = `${ep.text}\0${file.text}\0${fdTok.num}`;
  const first = st.watchKeys.get(keyStr);
  if (first !== undefined) {
    lx.fail(`epoll ${ep.text} already watches (${file.text}, ${fdTok.num}) (first at line ${first})`, file.loc);
  }
  const after = { key: `after (${file.text}, ${fdTok.num})`, events: 'after the events', data: 'after the data' };
  const wanted = { key: "events, 'data=V' or end of line", events: "'data=V' or end of line", data: 'end of line' };
  let stage: keyof typeof after = 'key';
  let events: EventName[] = ['IN'];
  const t = lx.peek();
  if (t.kind === 'name' && t.text !== 'data') {
    events = parseEvents(lx, after.key);
    stage = 'events';
  }
  let data = fdTok.num;
  if (lx.eat('data')) {
    data = parseData(lx);
    stage = 'data';
  }
  const end = lx.peek();
  if (end.kind !== 'eol') lx.fail(`expected ${wanted[stage]} ${after[stage]}, found ${describe(end)}`, end.loc);
  st.watchKeys.set(keyStr, kw.loc.line);
  st.s.watches.push({ epoll: ep.text, file: file.text, fd: fdTok.num, events, data, loc: kw.loc });
}

/** A `when` name is a preset (the thread runs on it and on every label built from it), checked like the
 *  variants line: a misspelt one would silently drop the thread from every variant. */
function checkWhenVariant(lx: LineLexer, st: State, v: Token): void {
  if (/[~+]/.test(v.text)) {
    lx.fail(`'when' lists variant presets, not labels with toggles: write '${v.text.split(/[~+]/)[0]}'`, v.loc);
  }
  const known = st.opts.variants;
  if (typeof known === 'function') {
    const err = known(v.text);
    if (err !== null) lx.fail(err, v.loc);
  } else if (known && !known.includes(v.text)) {
    lx.fail(`unknown variant '${v.text}'${didYouMean(v.text, known)} (known: ${known.join(', ')})`, v.loc);
  }
}

export function threadStmt(lx: LineLexer, st: State, kw: Token): void {
  const n = name(lx, "a thread name after 'thread'");
  st.scope.declare(n, 'thread');
  const inTok = lx.peek();
  if (!lx.eat('in')) lx.fail(`expected 'in' after the thread name, found ${describe(inTok)}`, inTok.loc);
  const p = name(lx, "a process name after 'in'");
  st.scope.resolve(p, 'process');
  const decl: ThreadDecl = { name: n.text, process: p.text, ops: [], loc: kw.loc };
  const w = lx.peek();
  if (w.kind === 'name' && w.text === 'when') {
    // `when V1 V2`: the thread runs only on these variants (a design's own program, e.g. a userspace supervisor).
    lx.next();
    const when: string[] = [];
    while (lx.peek().kind !== 'eol') {
      const v = dashedName(lx, "a variant name after 'when'");
      checkWhenVariant(lx, st, v);
      if (when.includes(v.text)) lx.fail(`variant '${v.text}' is listed twice after 'when'`, v.loc);
      when.push(v.text);
    }
    if (when.length === 0) lx.fail(`expected at least one variant name after 'when', found end of line`, lx.peek().loc);
    decl.when = when;
  }
  endOfLine(lx, 'after the process name');
  st.s.threads.push(decl);
  st.block = { kind: 'thread', decl, nameTok: n, held: 0 };
}

/** One operation under a thread header. */
export function opLine(lx: LineLexer, st: State, block: { decl: ThreadDecl; held: number }): void {
  const { decl } = block;
  if (decl.ops.length >= LIMITS.maxOpsPerThread) {
    lx.fail(`thread ${decl.name} has more than ${LIMITS.maxOpsPerThread} operations`, lx.peek().loc);
  }
  const op = parseOp(lx, st.scope);
  if (op.elseSkip && block.held > 0 && op.kind !== 'fput') {
    // A skip jumps to the last op: over the fput() that pairs with the held fget(), so the pairing would break.
    lx.fail(`'else skip' in thread ${decl.name} while an fget() reference is held: the skip would jump over its fput()`, op.loc);
  }
  if (op.kind === 'fget') {
    // The model keeps one explicitly held reference per thread (an in-flight holder), not a stack.
    if (block.held > 0)
      lx.fail(`fget() in thread ${decl.name} while an earlier fget's reference is still held: fput() it first (one held reference per thread)`, op.loc);
    block.held++;
  }
  if (op.kind === 'fput') {
    if (block.held === 0) lx.fail(`fput() in thread ${decl.name} has no earlier fget(N) whose reference is still held`, op.loc);
    block.held--;
  }
  decl.ops.push(op);
}
