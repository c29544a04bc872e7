// Accessors for files, fd slots and epitems. The epitem store is a fixed array of records; an epitem's place on
// its file's f_ep list is kept as a position number (I_FPOS), so that list order (which matters to walkers such
// as eventpoll_release_file and the RFC loops) is part of the state without storing pointers.

import {
  F_EPNULL, F_LIFE, F_REF, I_DATA, I_EP, I_EVENTS, I_FD, I_FILE, I_FLAGS, I_FPOS, I_SIZE, IF_FEP, IF_PWQ, IF_RBR, SLOT_EMPTY,
  fileAddr, fileKind, itemAddr, nItems, nSlots, slotAddr,
} from './layout';
import { Kind } from './codes';
import {
  FP_EPOLL, FP_FILE, FP_ITEMS, FP_TABLE, danglePointersTo, fpProtectedWrite, fpRead, fpWrite, memViolate, setRefGated,
} from './frame';
import { Access, MemField, MemObj, Viol } from './codes';
import { fileZeroTest, itemFreeCheck, pwqWrite, rbrAccess, rbrFree, slotRead, slotWrite } from './lockset';

// ---- files -------------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline export function ref(f: i32): i32 {
  fpRead(FP_FILE + f);
  return load<u8>(fileAddr(f) + F_REF);
}
/** file_count(f) == 0, read only to complain (filp_close): a protected read while this task pins f. */
export function countIsZero(f: i32): bool {
  const v = <i32>load<u8>(fileAddr(f) + F_REF);
  fileZeroTest(FP_FILE + f, f);
  return v == 0;
}
/** fput's atomic decrement of f's count (dec_and_test: its read and its write are one access), which leaves a zero
 *  count alone. `stable`: under the reference gate (lockset.ts refDropStable), a protected access. Returns the
 *  count before. */
export function refDecrement(f: i32, stable: bool): i32 {
  const a = fileAddr(f) + F_REF;
  const c = <i32>load<u8>(a);
  if (stable) {
    fpProtectedWrite(FP_FILE + f);
    setRefGated(f);
  } else fpWrite(FP_FILE + f);
  if (c > 0) store<u8>(a, <u8>(c - 1));
  return c;
}
// @ts-ignore: decorator
@inline export function setRef(f: i32, v: i32): void {
  fpWrite(FP_FILE + f);
  store<u8>(fileAddr(f) + F_REF, <u8>v);
}
// @ts-ignore: decorator
@inline export function life(f: i32): i32 {
  fpRead(FP_FILE + f);
  return load<u8>(fileAddr(f) + F_LIFE);
}
// @ts-ignore: decorator
@inline export function setLife(f: i32, v: i32): void {
  fpWrite(FP_FILE + f);
  store<u8>(fileAddr(f) + F_LIFE, <u8>v);
}
/** file_can_poll(): f_op->poll is set. Sockets and epoll files are pollable, regular files are not. */
export function canPoll(f: i32): bool {
  return fileKind(f) != Kind.Regular;
}
export function isEpoll(f: i32): bool {
  return fileKind(f) == Kind.Epoll;
}

// ---- fd slots ----------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline export function slot(table: i32, fd: i32): u8 {
  // Beyond max_fds there is nothing (files_lookup_fd_raw returns NULL): callers see an empty slot.
  const v = fd < nSlots ? load<u8>(slotAddr(table, fd)) : <u8>SLOT_EMPTY;
  slotRead(FP_TABLE + table, table, fd, v);
  return v;
}
// @ts-ignore: decorator
@inline export function setSlot(table: i32, fd: i32, v: u8): void {
  if (fd >= nSlots) unreachable(); // callers check newfd against max_fds (RLIMIT_NOFILE) first
  slotWrite(FP_TABLE + table, table, fd, load<u8>(slotAddr(table, fd)));
  store<u8>(slotAddr(table, fd), v);
}
/** dup_fd's copy into the child's files_struct, which no other task can reach before fork returns. */
export function setSlotUnpublished(table: i32, fd: i32, v: u8): void {
  fpWrite(FP_TABLE + table);
  store<u8>(slotAddr(table, fd), v);
}
export function slotEmpty(v: u8): bool {
  return v == SLOT_EMPTY;
}

// ---- epitems -----------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline export function itemGet(i: i32, field: i32): i32 {
  return load<u8>(itemAddr(i) + <usize>field);
}
// @ts-ignore: decorator
@inline export function itemSet(i: i32, field: i32, v: i32): void {
  itemTouch(i, true);
  store<u8>(itemAddr(i) + <usize>field, <u8>v);
}
/** An epitem belongs to its eventpoll (rbr) and to its file (f_ep): touching it touches both. */
function itemTouch(i: i32, write: bool): void {
  const a = itemAddr(i);
  const ep = <i32>load<u8>(a + I_EP);
  if (ep == 0) return;
  const f = <i32>load<u8>(a + I_FILE);
  if (write) {
    fpWrite(FP_EPOLL + ep - 1);
    fpWrite(FP_FILE + f);
  } else {
    fpRead(FP_EPOLL + ep - 1);
    fpRead(FP_FILE + f);
  }
}

/** A write of item i's ep->rbr fields (IF_RBR in I_FLAGS, I_EVENTS, I_DATA): under ep->mtx, a protected access
 *  (model/lockset.ts). The item's file bit stays in the footprint for partial-order reduction. */
export function itemSetRbr(i: i32, field: i32, v: i32): void {
  const a = itemAddr(i);
  const ep = <i32>load<u8>(a + I_EP);
  if (ep == 0) unreachable(); // only linked items carry rbtree fields
  const f = <i32>load<u8>(a + I_FILE);
  const edge = fileKind(f) == Kind.Epoll;
  rbrAccess(FP_EPOLL + ep - 1, ep - 1, true, edge);
  rbrAccess(FP_FILE + f, ep - 1, true, edge);
  store<u8>(a + <usize>field, <u8>v);
}
/** ep_rbtree_insert / rb_erase_cached: set or clear IF_RBR (protected by ep->mtx). */
export function itemSetRbrLinked(i: i32, on: bool): void {
  const v = itemGet(i, I_FLAGS);
  itemSetRbr(i, I_FLAGS, on ? v | IF_RBR : v & ~IF_RBR);
}

/** ep_ptable_queue_proc / ep_unregister_pollwait: set or clear IF_PWQ (model/lockset.ts pwqWrite). */
export function itemSetPollwait(i: i32, on: bool): void {
  const a = itemAddr(i);
  const ep = <i32>load<u8>(a + I_EP);
  if (ep == 0) unreachable(); // only linked items are registered
  pwqWrite(FP_EPOLL + ep - 1, FP_FILE + <i32>load<u8>(a + I_FILE), ep - 1);
  const v = <i32>load<u8>(a + I_FLAGS);
  store<u8>(a + I_FLAGS, <u8>(on ? v | IF_PWQ : v & ~IF_PWQ));
}

export function itemUsed(i: i32): bool {
  return itemGet(i, I_EP) != 0;
}
export function itemEp(i: i32): i32 {
  return itemGet(i, I_EP) - 1;
}
export function itemFile(i: i32): i32 {
  return itemGet(i, I_FILE);
}
export function itemHas(i: i32, flag: i32): bool {
  return (itemGet(i, I_FLAGS) & flag) != 0;
}
export function itemSetFlag(i: i32, flag: i32, on: bool): void {
  const v = itemGet(i, I_FLAGS);
  itemSet(i, I_FLAGS, on ? v | flag : v & ~flag);
}

/** Allocate an epitem record (not yet linked anywhere). -1 when the model's capacity is exhausted. */
export function itemAlloc(ep: i32, f: i32, fd: i32, events: i32, data: i32): i32 {
  fpWrite(FP_ITEMS);
  fpWrite(FP_EPOLL + ep);
  fpWrite(FP_FILE + f);
  for (let i = 0; i < nItems; i++) {
    if (!itemUsed(i)) {
      // Plain stores: the footprint is (ep, f) above, not whatever the free record held before.
      const a = itemAddr(i);
      store<u8>(a + I_EP, <u8>(ep + 1));
      store<u8>(a + I_FILE, <u8>f);
      store<u8>(a + I_FD, <u8>fd);
      store<u8>(a + I_EVENTS, <u8>events);
      store<u8>(a + I_DATA, <u8>data);
      store<u8>(a + I_FPOS, 0);
      store<u8>(a + I_FLAGS, 0);
      return i;
    }
  }
  return -1;
}

/** Free the record; saved pointers to it in other frames become dangling. */
export function itemFree(i: i32): void {
  if (!itemUsed(i)) {
    memViolate(Viol.UafItem, MemObj.Epitem, i, MemField.Whole, Access.DoubleFree); // call_rcu on a freed epitem
    return;
  }
  if (itemHas(i, IF_RBR)) rbrFree(itemEp(i));
  itemFreeCheck(itemEp(i));
  itemTouch(i, true);
  fpWrite(FP_ITEMS);
  memory.fill(itemAddr(i), 0, I_SIZE);
  danglePointersTo(i);
}

/** Is file f watched at all (file->f_ep != NULL)? */
export function watched(f: i32): bool {
  fpRead(FP_FILE + f);
  if (load<u8>(fileAddr(f) + F_EPNULL) != 0) return false; // __ep_remove published NULL before unlinking
  for (let i = 0; i < nItems; i++) if (itemUsed(i) && itemFile(i) == f && itemHas(i, IF_FEP)) return true;
  return false;
}

/** hlist_add_head_rcu(&epi->fllink, file->f_ep): the new item becomes the first on the list. */
export function fepLinkHead(i: i32): void {
  const f = itemFile(i);
  for (let j = 0; j < nItems; j++) {
    if (j != i && itemUsed(j) && itemFile(j) == f && itemHas(j, IF_FEP)) itemSet(j, I_FPOS, itemGet(j, I_FPOS) + 1);
  }
  itemSet(i, I_FPOS, 0);
  itemSetFlag(i, IF_FEP, true);
}

/** list_add_tail_rcu(&epi->fllink, &file->f_ep_links) (before 319c15174757): the new item becomes the last. */
export function fepLinkTail(i: i32): void {
  const f = itemFile(i);
  let n = 0;
  for (let j = 0; j < nItems; j++) if (j != i && itemUsed(j) && itemFile(j) == f && itemHas(j, IF_FEP)) n++;
  itemSet(i, I_FPOS, n);
  itemSetFlag(i, IF_FEP, true);
}

/** hlist_del_rcu(&epi->fllink). */
export function fepUnlink(i: i32): void {
  const f = itemFile(i);
  const p = itemGet(i, I_FPOS);
  for (let j = 0; j < nItems; j++) {
    if (j != i && itemUsed(j) && itemFile(j) == f && itemHas(j, IF_FEP) && itemGet(j, I_FPOS) > p) {
      itemSet(j, I_FPOS, itemGet(j, I_FPOS) - 1);
    }
  }
  itemSet(i, I_FPOS, 0);
  itemSetFlag(i, IF_FEP, false);
}

/** The item at position p on file f's f_ep list, or -1. */
export function fepAt(f: i32, p: i32): i32 {
  fpRead(FP_FILE + f);
  for (let j = 0; j < nItems; j++) {
    if (itemUsed(j) && itemFile(j) == f && itemHas(j, IF_FEP) && itemGet(j, I_FPOS) == p) return j;
  }
  return -1;
}

/** The item after i on its file's f_ep list, or -1. */
export function fepNext(i: i32): i32 {
  return fepAt(itemFile(i), itemGet(i, I_FPOS) + 1);
}

/** ep_find(ep, file, fd): the epitem in ep->rbr keyed (file, fd), or -1. */
export function epFind(ep: i32, f: i32, fd: i32): i32 {
  rbrAccess(FP_EPOLL + ep, ep, false);
  for (let i = 0; i < nItems; i++) {
    if (itemEp(i) == ep && itemFile(i) == f && itemGet(i, I_FD) == fd && itemHas(i, IF_RBR)) return i;
  }
  return -1;
}

/** First epitem in ep->rbr (rb_first_cached), or -1. Order: by (file, fd) as the rbtree compares them. */
export function epFirst(ep: i32): i32 {
  rbrAccess(FP_EPOLL + ep, ep, false);
  let best = -1;
  let bestKey = 0x7fffffff;
  for (let i = 0; i < nItems; i++) {
    if (itemEp(i) == ep && itemHas(i, IF_RBR)) {
      const key = (itemFile(i) << 8) | itemGet(i, I_FD);
      if (key < bestKey) {
        bestKey = key;
        best = i;
      }
    }
  }
  return best;
}

export function itemFd(i: i32): i32 {
  return itemGet(i, I_FD);
}
export function itemEvents(i: i32): i32 {
  return itemGet(i, I_EVENTS);
}
export function itemData(i: i32): i32 {
  return itemGet(i, I_DATA);
}

/** rbtree key of an epitem: (file, fd) as ep_cmp_ffd orders them (file pointer first, then fd). */
export function keyOf(i: i32): i32 {
  return (itemFile(i) << 8) | itemGet(i, I_FD);
}

/** First epitem in ep->rbr with key >= k, or -1 (an rb_next walk that survives removals of visited items). */
export function epFirstFrom(ep: i32, k: i32): i32 {
  rbrAccess(FP_EPOLL + ep, ep, false);
  let best = -1;
  let bestKey = 0x7fffffff;
  for (let i = 0; i < nItems; i++) {
    if (itemEp(i) == ep && itemHas(i, IF_RBR)) {
      const key = keyOf(i);
      if (key >= k && key < bestKey) {
        bestKey = key;
        best = i;
      }
    }
  }
  return best;
}
