// Operation lines inside a `thread` block, parsed from the op registry (model/ops/registry.ts): each descriptor
// lists its arguments and their kinds, so one reader serves every op of the `name(arg, ...)` form. fd arguments
// are plain numbers (they are looked up in the thread's table at run time, and an unused fd is a legitimate EBADF
// test), so only their range is checked.

import type { ArgSpec, OpDescriptor } from '../../model/ops/descriptor.ts';
import { OPS } from '../../model/ops/registry.ts';
import { LIMITS } from './constants.ts';
import { describe, type LineLexer, type Token } from './lexer.ts';
import type { Scope } from './scope.ts';
import { endOfLine, name, number, orList, punct } from './syntax.ts';
import type { Loc, Op } from './types.ts';

const BY_NAME: ReadonlyMap<string, OpDescriptor> = new Map(OPS.map((d) => [d.name, d]));
const OP_NAMES = OPS.map((d) => d.name);

export function isOpName(s: string): boolean {
  return BY_NAME.has(s);
}

/** The descriptor of a parsed op (every parsed op has one: its kind is a registered name). */
export function descriptorOf(op: Pick<Op, 'kind'>): OpDescriptor {
  const d = BY_NAME.get(op.kind);
  if (!d) throw new Error(`internal: operation '${op.kind}' is not in the op registry`);
  return d;
}

function arg(lx: LineLexer, scope: Scope, a: ArgSpec): number | string {
  switch (a.kind) {
    case 'fd':
      return number(lx, a.what, 'fd', 0, LIMITS.maxFd).num;
    case 'slot':
      return number(lx, a.what, 'slot', 0, 3).num;
    case 'file':
    case 'epoll':
    case 'process': {
      const t = name(lx, a.what);
      scope.resolve(t, a.kind);
      return t.text;
    }
  }
}

function generic(lx: LineLexer, scope: Scope, d: OpDescriptor, loc: Loc): Op {
  const op: Record<string, unknown> = { kind: d.name };
  if (d.args.length === 0) punct(lx, ')', `after '${d.name}(' (${d.name} takes no arguments)`);
  d.args.forEach((a, i) => {
    op[a.field] = arg(lx, scope, a);
    punct(lx, i === d.args.length - 1 ? ')' : ',', a.after);
  });
  op.loc = loc;
  return op as unknown as Op;
}

export function parseOp(lx: LineLexer, scope: Scope): Op {
  const t: Token = lx.peek();
  const d = t.kind === 'name' ? BY_NAME.get(t.text) : undefined;
  if (d === undefined) {
    const found = t.kind === 'name' ? `unknown operation '${t.text}'` : `expected an operation, found ${describe(t)}`;
    lx.fail(`${found} (expected ${orList(OP_NAMES)})`, t.loc);
  }
  lx.next();
  const loc = t.loc;
  punct(lx, '(', `after '${t.text}'`);
  let op = d.custom ? (d.custom.parse(lx, scope, loc) as Op) : generic(lx, scope, d, loc);
  if (lx.peek().kind === 'name' && lx.peek().text === 'else') {
    lx.next();
    const w = lx.peek();
    if (w.kind !== 'name' || w.text !== 'skip') lx.fail(`expected 'skip' after 'else', found ${describe(w)}`, w.loc);
    lx.next();
    op = { ...op, elseSkip: true };
  }
  lx.eat(';');
  endOfLine(lx, 'after the operation (one operation per line)');
  return op;
}
