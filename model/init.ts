// Build the initial state from the configuration block: fd tables, file counts (one per slot holding the file),
// epitems present at the start (linked on f_ep and in ep->rbr, with their poll wait entries), idle threads.

import { EpLife, Life, Toggle } from './codes';
import {
  C_INIT_ITEMS, C_INIT_SLOTS, C_UNBORN, CFG, epFile, E_LIFE, E_REF, G_LOOPGEN, G_WATCHES, IF_PWQ, IF_RBR, T_RETS, epAddr, maxOps,
  nEpolls, nFiles, nSlots, nTables, nThreads, setState, slotAddr, stateSize, threadAddr, toggle,
} from './layout';
import { fepLinkHead, fepLinkTail, itemAlloc, itemSetFlag, ref, setLife, setRef } from './objects';

/** Value of a return slot whose op has not returned yet. */
export const NOT_RETURNED: i8 = 127;

export function buildInitial(dst: usize): i32 {
  setState(dst);
  memory.fill(dst, 0, <usize>stateSize);
  // loop_check_gen is bumped twice per full check, so outside a running check it never equals a fresh ep->gen.
  store<u8>(dst + G_LOOPGEN, 2);
  for (let t = 0; t < nTables; t++) {
    for (let fd = 0; fd < nSlots; fd++) {
      const v = load<u8>(CFG + C_INIT_SLOTS + <usize>(t * 64 + fd));
      store<u8>(slotAddr(t, fd), v);
      if (v != 0) setRef(v - 1, ref(v - 1) + 1);
    }
  }
  const unborn = <i32>load<u16>(CFG + C_UNBORN);
  for (let f = 0; f < nFiles; f++) {
    if ((unborn & (1 << f)) != 0) setLife(f, Life.Unborn);
    else setLife(f, ref(f) > 0 ? Life.Live : Life.Freed);
  }
  for (let e = 0; e < nEpolls; e++) {
    const born = (unborn & (1 << epFile(e))) == 0;
    store<u8>(epAddr(e) + E_REF, born ? 1 : 0);
    store<u8>(epAddr(e) + E_LIFE, <u8>(born ? EpLife.Live : EpLife.Unborn));
  }
  const n = <i32>load<u8>(CFG + C_INIT_ITEMS);
  for (let k = 0; k < n; k++) {
    const p = CFG + C_INIT_ITEMS + 1 + <usize>(k * 5);
    const ep = <i32>load<u8>(p);
    const i = itemAlloc(ep, load<u8>(p + 1), load<u8>(p + 2), load<u8>(p + 3), load<u8>(p + 4));
    if (i < 0) return -1;
    // The declared watches were added in order: hlist_add_head_rcu, or list_add_tail_rcu before 319c15174757.
    if (toggle(Toggle.FepHlist)) fepLinkHead(i);
    else fepLinkTail(i);
    itemSetFlag(i, IF_RBR, true);
    itemSetFlag(i, IF_PWQ, true);
    store<u8>(epAddr(ep) + E_REF, load<u8>(epAddr(ep) + E_REF) + 1);
  }
  store<u8>(dst + G_WATCHES, <u8>n);
  for (let t = 0; t < nThreads; t++) {
    for (let k = 0; k < maxOps; k++) store<i8>(threadAddr(t) + T_RETS + <usize>k, NOT_RETURNED);
  }
  return 0;
}
