// Expressions of `expect` lines. Precedence climbing with loops for || and &&, so only '(' and '!' recurse;
// those are capped at LIMITS.maxExprDepth so hostile input cannot overflow the stack. Chains of || or && are built
// as balanced trees, so the tree's depth stays logarithmic in the length of a chain.

import { ERRNO, LIMITS } from './constants.ts';
import { describe, type LineLexer, type Token } from './lexer.ts';
import type { Scope } from './scope.ts';
import { name, number, oneOf, orList, punct } from './syntax.ts';
import { KERNEL_FUNCTIONS } from './functions.ts';
import { parseEvents } from './events.ts';
import type { Cmp, Expr, FileRef, LockRef } from './types.ts';

export interface ExprCtx {
  scope: Scope;
  /** Number of operations of a declared thread (threads are complete before any `expect`). */
  opCount(thread: string): number;
}

const CMPS: readonly Cmp[] = ['==', '!=', '<', '<=', '>', '>='];
const EQS: readonly Cmp[] = ['==', '!='];
const STATES = ['live', 'dying', 'freed', 'unborn'] as const;
const EP_STATES = ['live', 'orphan', 'freed', 'unborn'] as const;
const ITEM_STATES = ['live', 'dying', 'absent'] as const;
const MEMBER_LIST = [
  'fd[N]',
  'count(F, N)',
  'ref',
  'state',
  'ret',
  'done',
  'op[K].ret',
  'mtx',
  'f_lock',
  'file_lock',
  'events(F, N)',
  'data(F, N)',
  'refcount',
  'ep_state',
  'item(F, N).state',
];
const MEMBERS = MEMBER_LIST.map((m) => m.replace(/[[(].*$/, ''))
  .filter((m, i, a) => a.indexOf(m) === i)
  .join(', ');
const MEMBERS_DOTTED = orList(MEMBER_LIST.map((m) => `.${m}`));

export function parseExpr(lx: LineLexer, ctx: ExprCtx): Expr {
  return or(lx, ctx, 0);
}

function or(lx: LineLexer, ctx: ExprCtx, depth: number): Expr {
  const terms = [and(lx, ctx, depth)];
  const ops: Token[] = [];
  for (let op = lx.eat('||'); op; op = lx.eat('||')) {
    ops.push(op);
    terms.push(and(lx, ctx, depth));
  }
  return balanced('or', terms, ops, 0, terms.length);
}

function and(lx: LineLexer, ctx: ExprCtx, depth: number): Expr {
  const terms = [unary(lx, ctx, depth)];
  const ops: Token[] = [];
  for (let op = lx.eat('&&'); op; op = lx.eat('&&')) {
    ops.push(op);
    terms.push(unary(lx, ctx, depth));
  }
  return balanced('and', terms, ops, 0, terms.length);
}

/** A chain of one associative operator as a balanced tree (a && b && c is (a && b) && c): its depth is log2 of
 *  its length, so a chain of thousands of terms never overflows a recursive consumer (compiler, JSON, viewer). */
function balanced(kind: 'and' | 'or', terms: Expr[], ops: Token[], lo: number, hi: number): Expr {
  if (hi - lo === 1) return terms[lo]!;
  const mid = lo + Math.ceil((hi - lo) / 2);
  return { kind, left: balanced(kind, terms, ops, lo, mid), right: balanced(kind, terms, ops, mid, hi), loc: ops[mid - 1]!.loc };
}

function unary(lx: LineLexer, ctx: ExprCtx, depth: number): Expr {
  const t = lx.peek();
  if (t.kind !== 'punct' || (t.text !== '!' && t.text !== '(')) return atom(lx, ctx);
  if (depth >= LIMITS.maxExprDepth) {
    lx.fail(`expression nested too deeply (more than ${LIMITS.maxExprDepth} levels of '(' and '!')`, t.loc);
  }
  lx.next();
  if (t.text === '!') return { kind: 'not', expr: unary(lx, ctx, depth + 1), loc: t.loc };
  const inner = or(lx, ctx, depth + 1);
  punct(lx, ')', `to close the '(' at column ${t.loc.col}`);
  return inner;
}

function cmp(lx: LineLexer, allowed: readonly Cmp[], context: string): Cmp {
  const t = lx.peek();
  const c = allowed.find((x) => t.kind === 'punct' && t.text === x);
  if (c === undefined) lx.fail(`expected ${orList(allowed.map((x) => `'${x}'`))} ${context}, found ${describe(t)}`, t.loc);
  lx.next();
  return c as Cmp;
}

/** `(FILE, N)` as in `E has (F, 3)` and `E.count(F, 3)`. */
function key(lx: LineLexer, ctx: ExprCtx, after: string): { file: string; fd: number } {
  punct(lx, '(', `after ${after}`);
  const file = name(lx, `a file name after '('`);
  ctx.scope.resolve(file, 'file');
  punct(lx, ',', 'after the file name');
  const fd = number(lx, `an fd number after ','`, 'fd', 0, LIMITS.maxFd);
  punct(lx, ')', 'after the fd number');
  return { file: file.text, fd: fd.num };
}

function atom(lx: LineLexer, ctx: ExprCtx): Expr {
  const subject = lx.peek();
  if (subject.kind !== 'name') {
    lx.fail(`expected a condition such as P.fd[3] == F, E has (F, 3) or T.done, found ${describe(subject)}`, subject.loc);
  }
  lx.next();
  const s = subject.text;
  const loc = subject.loc;
  if (s === 'quiescent' && !ctx.scope.has(s)) return { kind: 'quiescent', loc };
  if (lx.eat('has')) {
    ctx.scope.resolve(subject, 'epoll');
    return { kind: 'has', epoll: s, ...key(lx, ctx, "'has'"), loc };
  }
  if (lx.eat('at')) return atAtom(lx, ctx, subject);
  punct(lx, '.', `or 'has' after '${s}'`);
  const member = name(lx, `a property name after '${s}.' (${MEMBERS})`);
  const more = moreAtoms(lx, ctx, subject, member);
  if (more) return more;
  switch (member.text) {
    case 'fd':
      return fdAtom(lx, ctx, subject);
    case 'count': {
      ctx.scope.resolve(subject, 'epoll');
      const k = key(lx, ctx, `'${s}.count'`);
      const c = cmp(lx, CMPS, `after ${s}.count(...)`);
      const value = number(lx, `a count after '${c}'`, 'count', 0, LIMITS.maxCount).num;
      return { kind: 'count', epoll: s, ...k, cmp: c, value, loc };
    }
    case 'ref': {
      ctx.scope.resolve(subject, 'file');
      const c = cmp(lx, CMPS, `after ${s}.ref`);
      const value = number(lx, `a reference count after '${c}'`, 'reference count', 0, LIMITS.maxCount).num;
      return { kind: 'ref', file: s, cmp: c, value, loc };
    }
    case 'state': {
      ctx.scope.resolve(subject, 'file');
      const eq = cmp(lx, EQS, `after ${s}.state`) === '==';
      const { word } = oneOf(lx, STATES, `${orList(STATES)} after '${eq ? '==' : '!='}'`);
      return { kind: 'life', file: s, eq, state: word, loc };
    }
    case 'ret':
      return retAtom(lx, ctx, subject);
    case 'done':
      ctx.scope.resolve(subject, 'thread');
      return { kind: 'done', thread: s, loc };
    default:
      return lx.fail(`unknown property '.${member.text}' (expected ${MEMBERS_DOTTED})`, member.loc);
  }
}

function fdAtom(lx: LineLexer, ctx: ExprCtx, subject: Token): Expr {
  ctx.scope.resolve(subject, 'process');
  punct(lx, '[', `after '${subject.text}.fd'`);
  const lo = number(lx, `an fd number after '['`, 'fd', 0, LIMITS.maxFd).num;
  let hi = lo;
  if (lx.eat('..')) {
    const h = number(lx, `an fd number after '..'`, 'fd', 0, LIMITS.maxFd);
    if (h.num < lo) lx.fail(`empty fd range ${lo}..${h.text} (the first fd must not exceed the last)`, h.loc);
    hi = h.num;
  }
  punct(lx, ']', lo === hi ? 'after the fd number' : 'after the fd range');
  const eq = cmp(lx, EQS, `after ${subject.text}.fd[...]`) === '==';
  const t = name(lx, `a file name or 'none' after '${eq ? '==' : '!='}'`);
  let target: FileRef;
  if (t.text === 'none') target = { none: true };
  else {
    ctx.scope.resolve(t, 'file');
    target = { file: t.text };
  }
  return { kind: 'fd', process: subject.text, lo, hi, eq, target, loc: subject.loc };
}

function retAtom(lx: LineLexer, ctx: ExprCtx, subject: Token): Expr {
  ctx.scope.resolve(subject, 'thread');
  // `T.ret` is the last op's return value; `T.ret[K]` names op K.
  const op = lx.peek().text === '[' ? opIndex(lx, ctx, subject.text, `'${subject.text}.ret'`) : ctx.opCount(subject.text);
  const c = cmp(lx, CMPS, `after ${subject.text}.ret`);
  const value = retValue(lx, c);
  return { kind: 'ret', thread: subject.text, op, cmp: c, value, loc: subject.loc };
}

// ---- atoms of model/atoms.ts --------------------------------------------------------------------------------

/** `T.op[K]` then `.ret CMP VALUE`. */
function opRetAtom(lx: LineLexer, ctx: ExprCtx, subject: Token): Expr {
  ctx.scope.resolve(subject, 'thread');
  const op = opIndex(lx, ctx, subject.text, `'${subject.text}.op'`);
  punct(lx, '.', `after '${subject.text}.op[${op}]'`);
  const r = lx.peek();
  if (!lx.eat('ret')) lx.fail(`expected 'ret' after '${subject.text}.op[${op}].', found ${describe(r)}`, r.loc);
  const c = cmp(lx, CMPS, `after ${subject.text}.op[${op}].ret`);
  const value = retValue(lx, c);
  return { kind: 'opret', thread: subject.text, op, cmp: c, value, loc: subject.loc };
}

/** `[K]` with K an op number of thread `thread` (1-based). */
export function opIndex(lx: LineLexer, ctx: ExprCtx, thread: string, after: string): number {
  punct(lx, '[', `after ${after}`);
  const n = ctx.opCount(thread);
  const k = lx.peek();
  if (k.kind !== 'number') lx.fail(`expected an operation number after '[', found ${describe(k)}`, k.loc);
  if (!(k.num >= 1 && k.num <= n)) {
    lx.fail(`operation ${k.text} is out of range: thread ${thread} has ${n} operation${n === 1 ? '' : 's'} (1..${n})`, k.loc);
  }
  lx.next();
  punct(lx, ']', 'after the operation number');
  return k.num;
}

function retValue(lx: LineLexer, c: Cmp): number {
  const neg = lx.eat('-');
  const v = lx.peek();
  let value: number;
  if (v.kind === 'name') {
    if (!Object.hasOwn(ERRNO, v.text)) lx.fail(`unknown errno name '${v.text}' (known: ${Object.keys(ERRNO).join(', ')})`, v.loc);
    if (!neg) lx.fail(`errors are negative return values: write -${v.text}`, v.loc);
    value = -(ERRNO[v.text] ?? 0);
  } else if (v.kind === 'number') {
    if (!(v.num <= LIMITS.maxRet)) lx.fail(`return value ${neg ? '-' : ''}${v.text} is out of range (-${LIMITS.maxRet}..${LIMITS.maxRet})`, v.loc);
    value = neg && v.num !== 0 ? -v.num : v.num;
  } else {
    return lx.fail(`expected a return value (a number or -ENAME such as -EBADF) after '${c}', found ${describe(v)}`, v.loc);
  }
  lx.next();
  return value;
}

/** `E.mtx`, `F.f_lock`, `P.file_lock` followed by `free`, `held`, `owner ==|!= T` or `waiters CMP N`. */
function lockAtom(lx: LineLexer, ctx: ExprCtx, subject: Token, lock: LockRef['lock']): Expr {
  ctx.scope.resolve(subject, lock === 'mtx' ? 'epoll' : lock === 'f_lock' ? 'file' : 'process');
  const ref: LockRef = { lock, object: subject.text };
  const what = `${subject.text}.${lock}`;
  const { word } = oneOf(lx, ['free', 'held', 'owner', 'waiters'] as const, `free, held, owner or waiters after '${what}'`);
  const loc = subject.loc;
  if (word === 'free' || word === 'held') return { kind: 'lock-free', lock: ref, free: word === 'free', loc };
  if (word === 'owner') {
    const eq = cmp(lx, EQS, `after ${what} owner`) === '==';
    const t = name(lx, `a thread name after '${eq ? '==' : '!='}'`);
    ctx.scope.resolve(t, 'thread');
    return { kind: 'lock-owner', lock: ref, eq, thread: t.text, loc };
  }
  const c = cmp(lx, CMPS, `after ${what} waiters`);
  const value = number(lx, `a number of threads after '${c}'`, 'count', 0, LIMITS.maxCount).num;
  return { kind: 'lock-waiters', lock: ref, cmp: c, value, loc };
}

/** `T at FUNCTION`. */
function atAtom(lx: LineLexer, ctx: ExprCtx, subject: Token): Expr {
  ctx.scope.resolve(subject, 'thread');
  const f = name(lx, `a kernel function name after '${subject.text} at' (or 'user')`);
  if (!Object.hasOwn(KERNEL_FUNCTIONS, f.text)) {
    lx.fail(`unknown kernel function '${f.text}' (known: ${Object.keys(KERNEL_FUNCTIONS).join(', ')})`, f.loc);
  }
  return { kind: 'at', thread: subject.text, fn: f.text, loc: subject.loc };
}

/** Members added with model/atoms.ts; undefined when `member` is one of the original ones. */
function moreAtoms(lx: LineLexer, ctx: ExprCtx, subject: Token, member: Token): Expr | undefined {
  const s = subject.text;
  const loc = subject.loc;
  switch (member.text) {
    case 'op':
      return opRetAtom(lx, ctx, subject);
    case 'mtx':
    case 'f_lock':
    case 'file_lock':
      return lockAtom(lx, ctx, subject, member.text);
    case 'events': {
      ctx.scope.resolve(subject, 'epoll');
      const k = key(lx, ctx, `'${s}.events'`);
      const t = lx.peek();
      let test: '==' | '!=' | 'has';
      if (lx.eat('has')) test = 'has';
      else test = cmp(lx, EQS, `or 'has' after ${s}.events(...)`) as '==' | '!=';
      const events = parseEvents(lx, `after '${test === 'has' ? 'has' : t.text}'`);
      return { kind: 'events', epoll: s, ...k, test, events, loc };
    }
    case 'data': {
      ctx.scope.resolve(subject, 'epoll');
      const k = key(lx, ctx, `'${s}.data'`);
      const c = cmp(lx, CMPS, `after ${s}.data(...)`);
      const value = number(lx, `a data value after '${c}'`, 'data', 0, LIMITS.maxData).num;
      return { kind: 'data', epoll: s, ...k, cmp: c, value, loc };
    }
    case 'refcount': {
      ctx.scope.resolve(subject, 'epoll');
      const c = cmp(lx, CMPS, `after ${s}.refcount`);
      const value = number(lx, `a reference count after '${c}'`, 'reference count', 0, LIMITS.maxCount).num;
      return { kind: 'ep-ref', epoll: s, cmp: c, value, loc };
    }
    case 'ep_state': {
      ctx.scope.resolve(subject, 'epoll');
      const eq = cmp(lx, EQS, `after ${s}.ep_state`) === '==';
      const { word } = oneOf(lx, EP_STATES, `${orList(EP_STATES)} after '${eq ? '==' : '!='}'`);
      return { kind: 'ep-life', epoll: s, eq, state: word, loc };
    }
    case 'item': {
      ctx.scope.resolve(subject, 'epoll');
      const k = key(lx, ctx, `'${s}.item'`);
      punct(lx, '.', `after ${s}.item(...)`);
      const st = lx.peek();
      if (!lx.eat('state')) lx.fail(`expected 'state' after '${s}.item(...).', found ${describe(st)}`, st.loc);
      const eq = cmp(lx, EQS, `after ${s}.item(...).state`) === '==';
      const { word } = oneOf(lx, ITEM_STATES, `${orList(ITEM_STATES)} after '${eq ? '==' : '!='}'`);
      return { kind: 'item-state', epoll: s, ...k, eq, state: word, loc };
    }
    default:
      return undefined;
  }
}
