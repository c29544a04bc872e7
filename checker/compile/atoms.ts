// The atoms of model/atoms.ts and the `when T.op[K] returns` modality, compiled to the kernel's expectation
// bytecode (opcodes in model/codes.ts PredOp, evaluated by model/predicates.ts).

import { Cfg } from '../../model/abi.ts';
import { LockClass, PredOp } from '../../model/codes.ts';
import { KERNEL_FUNCTIONS } from '../scenario/functions.ts';
import { eventsToByte } from '../scenario/constants.ts';
import type { Expr, LockRef } from '../scenario/types.ts';
import { CMP, constant } from './bytecode.ts';
import type { Indexes } from './indexes.ts';

/** Byte offset (in the configuration block) of the watched-returns table: count, then [thread, op] pairs. Must
 *  match model/atoms.ts C_RETURNS. */
export const C_RETURNS: number = Cfg.Returns;
export const MAX_RETURNS = 32;

/** EPOLLERR | EPOLLHUP in the model's event byte: epoll_ctl always adds them (ep_insert's caller). */
const ERR_HUP = eventsToByte(['ERR', 'HUP']);
const EP_LIFE = { live: 0, orphan: 1, freed: 2, unborn: 3 } as const;
const ITEM_STATE = { absent: 0, live: 1, dying: 2 } as const;

function lockBytes(l: LockRef, ix: Indexes): [number, number] {
  if (l.lock === 'mtx') return [LockClass.EpMtx, ix.epoll(l.object)];
  if (l.lock === 'f_lock') return [LockClass.FLock, ix.file(l.object)];
  return [LockClass.FileTable, ix.tableOf(l.object)];
}

export type AtomExpr = Extract<
  Expr,
  { kind: 'opret' | 'lock-free' | 'lock-owner' | 'lock-waiters' | 'events' | 'data' | 'ep-ref' | 'ep-life' | 'item-state' | 'at' | 'quiescent' }
>;

export function compileAtom(e: AtomExpr, ix: Indexes, out: number[]): void {
  switch (e.kind) {
    case 'opret':
      out.push(PredOp.Returned, ix.thread(e.thread), e.op - 1);
      out.push(PredOp.Ret, ix.thread(e.thread), e.op - 1);
      constant(out, e.value);
      out.push(CMP[e.cmp], PredOp.And);
      return;
    case 'lock-free':
      out.push(PredOp.LockOwner, ...lockBytes(e.lock, ix));
      constant(out, 0);
      out.push(e.free ? PredOp.Eq : PredOp.Ne);
      return;
    case 'lock-owner':
      out.push(PredOp.LockOwner, ...lockBytes(e.lock, ix));
      constant(out, ix.thread(e.thread) + 1);
      out.push(e.eq ? PredOp.Eq : PredOp.Ne);
      return;
    case 'lock-waiters':
      out.push(PredOp.LockWaiters, ...lockBytes(e.lock, ix));
      constant(out, e.value);
      out.push(CMP[e.cmp]);
      return;
    case 'events': {
      out.push(PredOp.Events, ix.epoll(e.epoll), ix.file(e.file), e.fd);
      const mask = eventsToByte(e.events);
      if (e.test === 'has') {
        constant(out, mask);
        out.push(PredOp.HasBits);
      } else {
        constant(out, mask | ERR_HUP);
        out.push(e.test === '==' ? PredOp.Eq : PredOp.Ne);
      }
      return;
    }
    case 'data':
      out.push(PredOp.Data, ix.epoll(e.epoll), ix.file(e.file), e.fd);
      constant(out, e.value);
      out.push(CMP[e.cmp]);
      return;
    case 'ep-ref':
      out.push(PredOp.EpRef, ix.epoll(e.epoll));
      constant(out, e.value);
      out.push(CMP[e.cmp]);
      return;
    case 'ep-life':
      out.push(PredOp.EpLifeOf, ix.epoll(e.epoll));
      constant(out, EP_LIFE[e.state]);
      out.push(e.eq ? PredOp.Eq : PredOp.Ne);
      return;
    case 'item-state':
      out.push(PredOp.ItemState, ix.epoll(e.epoll), ix.file(e.file), e.fd);
      constant(out, ITEM_STATE[e.state]);
      out.push(e.eq ? PredOp.Eq : PredOp.Ne);
      return;
    case 'at': {
      const routines = KERNEL_FUNCTIONS[e.fn] ?? [];
      routines.forEach((r, i) => {
        out.push(PredOp.At, ix.thread(e.thread), r);
        if (i > 0) out.push(PredOp.Or);
      });
      return;
    }
    case 'quiescent':
      out.push(PredOp.Quiescent);
      return;
  }
}

/** Threads an atom names (expectations about a thread a variant does not run are skipped on it). */
export function atomThreads(e: Expr): string[] {
  if (e.kind === 'opret' || e.kind === 'at' || e.kind === 'lock-owner') return [e.thread];
  return [];
}

/** The watched returns of a compiled scenario: `when T.op[K] returns` expectations, in table order. */
export class WatchedReturns {
  readonly pairs: [number, number][] = [];

  /** Index of (thread, op) in the table, added on first use. */
  index(thread: number, op: number): number {
    let j = this.pairs.findIndex(([t, k]) => t === thread && k === op);
    if (j < 0) {
      j = this.pairs.length;
      this.pairs.push([thread, op]);
    }
    return j;
  }

  /** `when T.op[K] returns: EXPR` == always (!returned-now(j) || EXPR). */
  emit(j: number, body: () => void, out: number[]): void {
    out.push(PredOp.JustReturned, j, PredOp.Not);
    body();
    out.push(PredOp.Or);
  }

  write(b: Uint8Array): void {
    b[C_RETURNS] = this.pairs.length;
    this.pairs.forEach(([t, k], j) => {
      b[C_RETURNS + 1 + j * 2] = t;
      b[C_RETURNS + 2 + j * 2] = k;
    });
  }
}
