// Evaluate a scenario expectation: a small stack bytecode compiled by checker/compile/predicates.ts. Running it
// here keeps per-state checks inside Wasm (no JS object per state).

import { Life, PredOp } from './codes';
import {
  C_CODE, C_EXPECT, C_PSTACK, CFG, I_FD, IF_RBR, T_DEPTH, T_OPIDX, T_PENDING, T_RETS, nItems, slotAddr, threadAddr,
  threadNops,
} from './layout';
import { itemEp, itemFile, itemGet, itemHas, itemUsed, life, ref } from './objects';
import { C_URING, E_LIFE, E_REF, G_SEM, I_DATA, U_SLOTS, epAddr, epFile, gAddr, nEpolls, nSlots, nTables, uringAddr } from './layout';
import { EpLife } from './codes';
import * as A from './atoms';

/** E4 at rest: ep->refcount == (epoll file not released ? 1 : 0) + epitems. A leaked ep_get leaves it higher. */
function epRefsOk(): bool {
  for (let e = 0; e < nEpolls; e++) {
    const lifeE = load<u8>(epAddr(e) + E_LIFE);
    if (lifeE == <u8>EpLife.Freed || lifeE == <u8>EpLife.Unborn) continue;
    const fl = life(epFile(e));
    let want = fl == Life.Freed || fl == Life.RcuPending || fl == Life.Unborn ? 0 : 1;
    for (let i = 0; i < nItems; i++) if (itemEp(i) == e && itemHas(i, IF_RBR)) want++;
    if (<i32>load<u8>(epAddr(e) + E_REF) != want) return false;
  }
  return true;
}

/** E21: a fixed slot holding a file that the fd it was registered from no longer refers to. */
function uringStale(): bool {
  if (load<u8>(CFG + C_URING) == 0) return false;
  for (let k = 0; k < U_SLOTS; k++) {
    const u = uringAddr(k);
    const v = load<u8>(u);
    if (v == 0) continue;
    const fd = <i32>load<u8>(u + 1);
    const tb = <i32>load<u8>(u + 2);
    if (fd >= nSlots || load<u8>(slotAddr(tb, fd)) != v) return true;
  }
  return false;
}

/** E19: an epitem (F, n) such that no table holding its epoll has fd n referring to F. Epolls no table holds any
 *  more are skipped: nobody can look at their registrations. */
function anyStale(): bool {
  for (let i = 0; i < nItems; i++) {
    if (!itemUsed(i) || !itemHas(i, IF_RBR)) continue;
    const ef = <u8>(epFile(itemEp(i)) + 1);
    const want = <u8>(itemFile(i) + 1);
    const fd = itemGet(i, I_FD);
    let holders = 0;
    let ok = false;
    for (let t = 0; t < nTables; t++) {
      let holds = false;
      for (let k = 0; k < nSlots; k++) if (load<u8>(slotAddr(t, k)) == ef) holds = true;
      if (!holds) continue;
      holders++;
      if (fd < nSlots && load<u8>(slotAddr(t, fd)) == want) ok = true;
    }
    if (holders > 0 && !ok) return true;
  }
  return false;
}

export function expectModality(k: i32): i32 {
  return load<u8>(CFG + C_EXPECT + <usize>(k * 4));
}

export function evalExpect(k: i32): bool {
  let pc = CFG + C_CODE + <usize>load<u16>(CFG + C_EXPECT + <usize>(k * 4) + 2);
  let sp = 0;
  while (true) {
    const op = <i32>load<u8>(pc);
    pc++;
    let v = 0;
    switch (op) {
      case PredOp.End:
        return load<i32>(CFG + C_PSTACK) != 0;
      case PredOp.FdAll:
      case PredOp.FdNone: {
        const tb = <i32>load<u8>(pc);
        const lo = <i32>load<u8>(pc + 1);
        const hi = <i32>load<u8>(pc + 2);
        const f = load<u8>(pc + 3);
        const want: u8 = f == 0xff ? 0 : f + 1;
        pc += 4;
        v = 1;
        for (let fd = lo; fd <= hi; fd++) {
          // An fd beyond the table is an empty slot (it used to read past the table: a lie found by npm run fuzz).
          const same = (fd < nSlots ? load<u8>(slotAddr(tb, fd)) : 0) == want;
          if (op == PredOp.FdAll ? !same : same) v = 0;
        }
        break;
      }
      case PredOp.Count: {
        const ep = <i32>load<u8>(pc);
        const f = <i32>load<u8>(pc + 1);
        const fd = <i32>load<u8>(pc + 2);
        pc += 3;
        for (let i = 0; i < nItems; i++) {
          if (itemEp(i) == ep && itemFile(i) == f && itemGet(i, I_FD) == fd && itemHas(i, IF_RBR)) v++;
        }
        break;
      }
      case PredOp.Ref:
        v = ref(load<u8>(pc));
        pc += 1;
        break;
      case PredOp.LifeOf: {
        const l = life(load<u8>(pc));
        v = l == Life.Releasing ? Life.Dying : l == Life.RcuPending ? Life.Freed : l; // "dying" covers queued and running __fput
        pc += 1;
        break;
      }
      case PredOp.Ret: {
        const t = <i32>load<u8>(pc);
        const k2 = <i32>load<u8>(pc + 1);
        v = <i32>load<i8>(threadAddr(t) + T_RETS + <usize>k2);
        pc += 2;
        break;
      }
      case PredOp.Done: {
        const ta = threadAddr(<i32>load<u8>(pc));
        v = load<u8>(ta + T_DEPTH) == 0 && load<u16>(ta + T_PENDING) == 0 &&
          <i32>load<u8>(ta + T_OPIDX) >= threadNops(<i32>load<u8>(pc)) ? 1 : 0;
        pc += 1;
        break;
      }
      case PredOp.Const:
        v = <i32>load<i16>(pc);
        pc += 2;
        break;
      case PredOp.Stale:
        v = anyStale() ? 1 : 0;
        break;
      case PredOp.Data: {
        const ep = <i32>load<u8>(pc);
        const f = <i32>load<u8>(pc + 1);
        const fd = <i32>load<u8>(pc + 2);
        pc += 3;
        v = -1;
        for (let i = 0; i < nItems; i++) {
          if (itemEp(i) == ep && itemFile(i) == f && itemGet(i, I_FD) == fd && itemHas(i, IF_RBR)) {
            v = itemGet(i, I_DATA);
            break;
          }
        }
        break;
      }
      case PredOp.Items: {
        const ep = <i32>load<u8>(pc);
        pc += 1;
        for (let i = 0; i < nItems; i++) if (itemEp(i) == ep && itemHas(i, IF_RBR)) v++;
        break;
      }
      case PredOp.Sem:
        v = load<u8>(gAddr(G_SEM));
        break;
      case PredOp.EpRefsOk:
        v = epRefsOk() ? 1 : 0;
        break;
      case PredOp.UringStale:
        v = uringStale() ? 1 : 0;
        break;
      // Atoms of model/atoms.ts.
      case PredOp.Returned:
        v = A.returned(<i32>load<u8>(pc), <i32>load<u8>(pc + 1));
        pc += 2;
        break;
      case PredOp.LockOwner:
      case PredOp.LockWaiters: {
        const id = (<i32>load<u8>(pc) << 8) | <i32>load<u8>(pc + 1);
        v = op == PredOp.LockOwner ? A.lockOwner(id) : A.lockWaiters(id);
        pc += 2;
        break;
      }
      case PredOp.Events:
      case PredOp.ItemState: {
        const ep = <i32>load<u8>(pc);
        const f = <i32>load<u8>(pc + 1);
        const fd = <i32>load<u8>(pc + 2);
        v = op == PredOp.Events ? A.itemEvents(ep, f, fd) : A.itemState(ep, f, fd);
        pc += 3;
        break;
      }
      case PredOp.EpRef:
        v = A.epRef(<i32>load<u8>(pc));
        pc += 1;
        break;
      case PredOp.EpLifeOf:
        v = A.epLife(<i32>load<u8>(pc));
        pc += 1;
        break;
      case PredOp.At:
        v = A.at(<i32>load<u8>(pc), <i32>load<u8>(pc + 1));
        pc += 2;
        break;
      case PredOp.Quiescent:
        v = A.quiescent();
        break;
      case PredOp.JustReturned:
        v = A.justReturned(<i32>load<u8>(pc));
        pc += 1;
        break;
      case PredOp.HasBits: {
        sp -= 2;
        const value = load<i32>(CFG + C_PSTACK + <usize>(sp * 4));
        const mask = load<i32>(CFG + C_PSTACK + <usize>(sp * 4 + 4));
        v = value >= 0 && (value & mask) == mask ? 1 : 0;
        break;
      }
      case PredOp.Not:
        sp--;
        v = load<i32>(CFG + C_PSTACK + <usize>(sp * 4)) == 0 ? 1 : 0;
        break;
      default: {
        sp -= 2;
        const a = load<i32>(CFG + C_PSTACK + <usize>(sp * 4));
        const b = load<i32>(CFG + C_PSTACK + <usize>(sp * 4 + 4));
        if (op == PredOp.Eq) v = a == b ? 1 : 0;
        else if (op == PredOp.Ne) v = a != b ? 1 : 0;
        else if (op == PredOp.Lt) v = a < b ? 1 : 0;
        else if (op == PredOp.Le) v = a <= b ? 1 : 0;
        else if (op == PredOp.Gt) v = a > b ? 1 : 0;
        else if (op == PredOp.Ge) v = a >= b ? 1 : 0;
        else if (op == PredOp.And) v = a != 0 && b != 0 ? 1 : 0;
        else if (op == PredOp.Or) v = a != 0 || b != 0 ? 1 : 0;
        else unreachable();
      }
    }
    store<i32>(CFG + C_PSTACK + <usize>(sp * 4), v);
    sp++;
  }
  return false;
}
