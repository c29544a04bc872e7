// Expectations -> the kernel's stack bytecode (model/predicates.ts runs it on every state, inside Wasm).

import { Life, PredOp } from '../../model/codes.ts';
import type { Cmp, Expr } from '../scenario/types.ts';
import { compileAtom } from './atoms.ts';
import type { Indexes } from './indexes.ts';

const CMP: Record<Cmp, PredOp> = {
  '==': PredOp.Eq,
  '!=': PredOp.Ne,
  '<': PredOp.Lt,
  '<=': PredOp.Le,
  '>': PredOp.Gt,
  '>=': PredOp.Ge,
};

const LIFE = { live: Life.Live, dying: Life.Dying, freed: Life.Freed, unborn: Life.Unborn } as const;

function constant(out: number[], v: number): void {
  const u = v & 0xffff;
  out.push(PredOp.Const, u & 0xff, u >> 8);
}

export function compileExpr(e: Expr, ix: Indexes, out: number[]): void {
  switch (e.kind) {
    case 'and':
    case 'or':
      compileExpr(e.left, ix, out);
      compileExpr(e.right, ix, out);
      out.push(e.kind === 'and' ? PredOp.And : PredOp.Or);
      return;
    case 'not':
      compileExpr(e.expr, ix, out);
      out.push(PredOp.Not);
      return;
    case 'fd': {
      const f = 'none' in e.target ? 0xff : ix.file(e.target.file);
      out.push(e.eq ? PredOp.FdAll : PredOp.FdNone, ix.tableOf(e.process), e.lo, e.hi, f);
      return;
    }
    case 'has':
      out.push(PredOp.Count, ix.epoll(e.epoll), ix.file(e.file), e.fd);
      constant(out, 0);
      out.push(PredOp.Gt);
      return;
    case 'count':
      out.push(PredOp.Count, ix.epoll(e.epoll), ix.file(e.file), e.fd);
      constant(out, e.value);
      out.push(CMP[e.cmp]);
      return;
    case 'ref':
      out.push(PredOp.Ref, ix.file(e.file));
      constant(out, e.value);
      out.push(CMP[e.cmp]);
      return;
    case 'life':
      out.push(PredOp.LifeOf, ix.file(e.file));
      constant(out, LIFE[e.state]);
      out.push(e.eq ? PredOp.Eq : PredOp.Ne);
      return;
    case 'ret':
      out.push(PredOp.Ret, ix.thread(e.thread), e.op - 1);
      constant(out, e.value);
      out.push(CMP[e.cmp]);
      return;
    case 'done':
      out.push(PredOp.Done, ix.thread(e.thread));
      return;
    default:
      compileAtom(e, ix, out);
  }
}

/** Built-in `check stale-registration` (docs/model.md §E19): no epitem (F, n) of an epoll E is stale, i.e. for every item
 *  some table holding E has fd n referring to F. Items appear at run time, so the kernel has an opcode for it. */
export function compileNoStale(out: number[]): void {
  out.push(PredOp.Stale, PredOp.Not);
}
