// Expressions of `expect` lines. Precedence climbing with loops for || and &&, so only '(' and '!' recurse;
// those are capped at LIMITS.maxExprDepth so hostile input cannot overflow the stack. Chains of || or && are built
// as balanced trees, so the tree's depth stays logarithmic in the length of a chain.

import { ERRNO, LIMITS } from './constants.ts';
import { describe, type LineLexer, type Token } from './lexer.ts';
import type { Scope } from './scope.ts';
import { name, number, oneOf, orList, punct } from './syntax.ts';
import type { Cmp, Expr, FileRef } from './types.ts';

export interface ExprCtx {
  scope: Scope;
  /** Number of operations of a declared thread (threads are complete before any `expect`). */
  opCount(thread: string): number;
}

const CMPS: readonly Cmp[] = ['==', '!=', '<', '<=', '>', '>='];
const EQS: readonly Cmp[] = ['==', '!='];
const STATES = ['live', 'dying', 'freed'] as const;

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
  if (lx.eat('has')) {
    ctx.scope.resolve(subject, 'epoll');
    return { kind: 'has', epoll: s, ...key(lx, ctx, "'has'"), loc };
  }
  punct(lx, '.', `or 'has' after '${s}'`);
  const member = name(lx, `a property name after '${s}.' (fd, count, ref, state, ret or done)`);
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
      const { word } = oneOf(lx, STATES, `live, dying or freed after '${eq ? '==' : '!='}'`);
      return { kind: 'life', file: s, eq, state: word, loc };
    }
    case 'ret':
      return retAtom(lx, ctx, subject);
    case 'done':
      ctx.scope.resolve(subject, 'thread');
      return { kind: 'done', thread: s, loc };
    default:
      return lx.fail(
        `unknown property '.${member.text}' (expected .fd[N], .count(F, N), .ref, .state, .ret or .done)`,
        member.loc,
      );
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
  const n = ctx.opCount(subject.text);
  let op = n;
  if (lx.eat('[')) {
    const k = lx.peek();
    if (k.kind !== 'number') lx.fail(`expected an operation number after '[', found ${describe(k)}`, k.loc);
    if (!(k.num >= 1 && k.num <= n)) {
      lx.fail(`operation ${k.text} is out of range: thread ${subject.text} has ${n} operation${n === 1 ? '' : 's'} (1..${n})`, k.loc);
    }
    op = lx.next().num;
    punct(lx, ']', 'after the operation number');
  }
  const c = cmp(lx, CMPS, `after ${subject.text}.ret`);
  const neg = lx.eat('-');
  const v = lx.peek();
  let value: number;
  if (v.kind === 'name') {
    if (!Object.hasOwn(ERRNO, v.text)) lx.fail(`unknown errno name '${v.text}' (known: ${Object.keys(ERRNO).join(', ')})`, v.loc);
    if (!neg) lx.fail(`errors are negative return values: write -${v.text}`, v.loc);
    value = -(ERRNO[v.text] ?? 0);
  } else if (v.kind === 'number') {
    if (!(v.num <= LIMITS.maxRet)) lx.fail(`return value ${neg ? '-' : ''}${v.text} is out of range (-${LIMITS.maxRet}..${LIMITS.maxRet})`, v.loc);
    // -0 would not survive a JSON round trip (it prints as 0).
    value = neg && v.num !== 0 ? -v.num : v.num;
  } else {
    return lx.fail(`expected a return value (a number or -ENAME such as -EBADF) after '${c}', found ${describe(v)}`, v.loc);
  }
  lx.next();
  return { kind: 'ret', thread: subject.text, op, cmp: c, value, loc: subject.loc };
}
