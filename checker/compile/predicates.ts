// Expectations -> the kernel's stack bytecode (model/predicates.ts runs it on every state, inside Wasm).

import { Life, PredOp } from '../../model/codes.ts';
import type { Expr } from '../scenario/types.ts';
import { compileAtom } from './atoms.ts';
import { CMP, constant } from './bytecode.ts';
import type { Indexes } from './indexes.ts';

const LIFE = { live: Life.Live, dying: Life.Dying, freed: Life.Freed, unborn: Life.Unborn } as const;

/** Entries of the kernel's predicate evaluation stack (model/layout.ts C_PSTACK). */
export const PRED_STACK = 64;

/** Emit e's bytecode; returns the evaluation stack depth it needs (the caller checks it against PRED_STACK). */
export function compileExpr(e: Expr, ix: Indexes, out: number[]): number {
  switch (e.kind) {
    case 'and':
    case 'or': {
      const l = compileExpr(e.left, ix, out);
      const r = compileExpr(e.right, ix, out);
      out.push(e.kind === 'and' ? PredOp.And : PredOp.Or);
      return Math.max(l, r + 1);
    }
    case 'not': {
      const d = compileExpr(e.expr, ix, out);
      out.push(PredOp.Not);
      return d;
    }
    case 'fd': {
      const f = 'none' in e.target ? 0xff : ix.file(e.target.file);
      out.push(e.eq ? PredOp.FdAll : PredOp.FdNone, ix.tableOf(e.process), e.lo, e.hi, f);
      return 1;
    }
    case 'has':
      out.push(PredOp.Count, ix.epoll(e.epoll), ix.file(e.file), e.fd);
      constant(out, 0);
      out.push(PredOp.Gt);
      return 2;
    case 'count':
      out.push(PredOp.Count, ix.epoll(e.epoll), ix.file(e.file), e.fd);
      constant(out, e.value);
      out.push(CMP[e.cmp]);
      return 2;
    case 'ref':
      out.push(PredOp.Ref, ix.file(e.file));
      constant(out, e.value);
      out.push(CMP[e.cmp]);
      return 2;
    case 'life':
      out.push(PredOp.LifeOf, ix.file(e.file));
      constant(out, LIFE[e.state]);
      out.push(e.eq ? PredOp.Eq : PredOp.Ne);
      return 2;
    case 'ret':
      out.push(PredOp.Ret, ix.thread(e.thread), e.op - 1);
      constant(out, e.value);
      out.push(CMP[e.cmp]);
      return 2;
    case 'done':
      out.push(PredOp.Done, ix.thread(e.thread));
      return 1;
    default:
      // The atoms (checker/compile/atoms.ts) are leaves needing at most 3 stack entries ('returned' and the value,
      // a constant, then the comparison).
      compileAtom(e, ix, out);
      return 3;
  }
}
