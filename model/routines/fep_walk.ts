// Walking file->f_ep and removing what the walk finds: the pieces eventpoll_release_file (v6.2-style and current),
// ep_free, the RFC's eventpoll_replace_file (v4 and v7) and its cleanup loop share (fs/eventpoll.c).
//
// The walk is hlist_for_each_entry_safe: `next` is saved before the current entry is processed, so a removal of
// the current entry is harmless but a free of the saved `next` by someone else is a use-after-free (E2). The
// frame's epi holds the current entry + 1, its nxt the saved next + 1 (DANGLING once freed).
// Each helper that ends in a call sets the caller's pc BEFORE pushing the callee (push starts a new frame).

import { Access, LockClass, MemField, MemObj, Routine, Viol } from '../codes';
import { DANGLING, IF_DYING } from '../layout';
import { FP_ITEMS, epi, fpRead, memViolate, nxt, push, setEpi, setNxt, setPc } from '../frame';
import { acquire, acquireEp, lockId, mightSleep, release } from '../locks';
import { curItem } from './epitem';
import { fepAt, fepNext, itemEp, itemSetFlag } from '../objects';

/** Save `next` the way hlist_for_each_entry_safe does: before the current entry is processed. */
export function saveNext(i: i32): void {
  setNxt(i < 0 ? 0 : fepNext(i) + 1);
}

/** Start the walk at file's first epitem (it becomes the frame's current item). False if f_ep is empty. */
export function walkStart(file: i32): bool {
  const first = fepAt(file, 0);
  if (first < 0) return false;
  setEpi(first + 1);
  saveNext(first);
  return true;
}

/** Advance to the saved next entry. Returns false when the walk is over; a freed `next` is a use-after-free. */
export function advance(): bool {
  fpRead(FP_ITEMS);
  const n = nxt();
  if (n == 0) return false;
  if ((n & DANGLING) != 0) {
    memViolate(Viol.UafItem, MemObj.Epitem, (n & ~DANGLING) - 1, MemField.Epitem, Access.Read);
    return false;
  }
  setEpi(n);
  saveNext(n - 1);
  return true;
}

/** Step "start the walk": the first entry and its saved next, then `item`; `done` if f_ep is empty. */
export function walkFirst(file: i32, item: i32, done: i32): void {
  setPc(walkStart(file) ? item : done);
}

/** walkLockItem's results besides an epitem. */
export const WALK_OVER: i32 = -1;
export const WALK_BLOCKED: i32 = -2;

/** Step "lock the current item's ep->mtx" of the v6.2-style walks (the global mutex held): the current epitem,
 *  WALK_OVER (the current item was freed under the walk: reported; pc set to `done`), or WALK_BLOCKED. */
export function walkLockItem(done: i32): i32 {
  const i = curItem();
  if (i < 0) {
    setPc(done);
    return WALK_OVER;
  }
  if (!lockEpMtx(itemEp(i))) return WALK_BLOCKED;
  return i;
}

/** Step "unlock": mutex_unlock(&ep->mtx), then the saved next entry (`item`) or the end of the walk (`done`). */
export function walkUnlockNext(ep: i32, item: i32, done: i32): void {
  release(lockId(LockClass.EpMtx, ep));
  setPc(advance() ? item : done);
}

/** mutex_lock(&ep->mtx) as the v6.2-style paths take it (no refcount: the global mutex keeps the eventpoll
 *  alive). False when the mutex is taken: the step is retried. */
export function lockEpMtx(ep: i32): bool {
  mightSleep();
  return acquire(lockId(LockClass.EpMtx, ep));
}

/** Call ep_remove / __ep_remove (model/routines/epitem.ts) on epitem i of ep: `value` is what the call returns
 *  in the RM_OLD and RM_SAFE modes, `mode` one of RM_*. The caller's pc must already point past this step. */
export function callEpRemove(ep: i32, i: i32, value: i32, mode: i32): void {
  push(Routine.EpRemove, ep, value, mode, 0, 0, 0);
  setEpi(i + 1);
}

/** Claim epitem i under its file's f_lock (epi->dying = true: ep_clear_and_put and ep_remove_safe now leave it
 *  alone); it becomes the frame's current item. Returns its eventpoll. */
export function claimItem(i: i32): i32 {
  itemSetFlag(i, IF_DYING, true);
  setEpi(i + 1);
  return itemEp(i);
}

/** The claimed item's removal: mutex_lock(&ep->mtx) (the epitem's reference keeps ep alive), then
 *  __ep_remove(ep, epi, true), which returns "dispose" (model/routines/ep_ref.ts). On return the caller
 *  continues at `next`. False when the mutex is taken. */
export function removeClaimed(ep: i32, mode: i32, next: i32): bool {
  mightSleep();
  if (!acquireEp(ep)) return false;
  const claimed = epi();
  setPc(next);
  callEpRemove(ep, claimed - 1, 0, mode);
  return true;
}
