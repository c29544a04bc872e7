// The limits of the epoll loop check as fs/eventpoll.c has them, apart from the downward walk (loop_check.ts):
//   - the upward half of ep_loop_check (ep_get_upwards_depth_proc, added by f2e467a48287 "eventpoll: Fix
//     semi-unbounded recursion"): EPOLL_CTL_ADD of epoll `to` into `ep` fails with ELOOP when the longest chain
//     below `to`, plus the new edge, plus the longest chain of epolls watching `ep`, exceeds EP_MAX_NESTS;
//   - reverse_path_check (reverse_path_check_proc / path_count_inc): for each file on tfile_check_list, the
//     wakeup paths from it up through nested epolls are counted per depth and must stay within path_limits
//     (1000, 500, 100, 50, 10 in the kernel; `option path_limits` scales them down so that a small scenario can
//     reach them), and no path may be deeper than EP_MAX_NESTS; otherwise ep_insert fails with EINVAL;
//   - the nesting-depth invariant: no chain of epolls watching epolls is longer than EP_MAX_NESTS.
//   - the path-limit invariant: reverse_path_check's rule for every watched non-epoll file, whenever the global
//     mutex is free (a path that escaped the check: no check at all before 28d82dc1c4ed, or the fast-path race
//     that fe0a916c1eae closed).
// The upward walk runs under rcu_read_lock without locks in the kernel; here it is one atomic step, and so is the
// depth arithmetic of ep_loop_check_proc (kernelLoopCheckFails), which the downward walk (loop_check.ts) leaves
// to it: the walk takes the locks, stamps ep->gen and lists files.

import { Cfg } from '../abi';
import { C_NEPOLLS, CFG, E_MTX, G_GMTX, G_TFILE_LIST, I_FILE, IF_FEP, IF_RBR, epAddr, epFile, fileEp, gAddr, nEpolls, nFiles, nItems } from '../layout';
import { isEpoll, itemEp, itemFile, itemGet, itemHas, itemUsed, keyOf } from '../objects';
import { EP_MAX_NESTS } from './loop_check';

/** path_limits[] per depth (u16 x 5), written by the host (checker/compile/config.ts). */
export const C_PATH_LIMITS: usize = <usize>Cfg.PathLimits;

/** Longest chain of epoll -> epoll edges (epitems in ep->rbr on an epoll file) going down from epoll e. Guarded
 *  against cycles (the cycle invariant reports those) by the number of epolls. */
function down(e: i32, guard: i32): i32 {
  if (guard > nEpolls) return 0;
  let best = 0;
  for (let i = 0; i < nItems; i++) {
    if (!itemUsed(i) || !itemHas(i, IF_RBR) || itemEp(i) != e) continue;
    const c = fileEp(itemFile(i));
    if (c == 0xff) continue;
    const d = down(c, guard + 1) + 1;
    if (d > best) best = d;
  }
  return best;
}

// ep_loop_check since f2e467a48287: ep_loop_check_proc returns the depth of the subtree below an epoll (memoised
// in ep->loop_check_depth for the epolls stamped with this loop_check_gen), or an error value when it meets the
// epoll being inserted into or goes deeper than EP_MAX_NESTS; ep_get_upwards_depth_proc returns the depth above,
// through the same memo. The error value was INT_MAX until fdcfce93073d: the caller's `+ 1` wrapped it to
// INT_MIN and max() dropped it, so a loop found below the top level was lost. i32 arithmetic wraps here as in C.
// The memo lives in Wasm globals (per instance, unlike memory, which workers share): 4 bits per epoll (at most 8),
// 15 standing for INT_MAX; every other value a walk can produce is below 15.
let lcSeen: u32 = 0;
let lcMemo: u32 = 0;
let lcInto: i32 = 0;
let lcError: i32 = 0;

function lcMax(a: i32, b: i32): i32 {
  return a > b ? a : b;
}

function seen(e: i32): bool {
  return (lcSeen & (<u32>1 << e)) != 0;
}

function memo(e: i32): i32 {
  const v = <i32>((lcMemo >> (e * 4)) & 15);
  return v == 15 ? i32.MAX_VALUE : v;
}

function setMemo(e: i32, v: i32): void {
  const enc = v == i32.MAX_VALUE ? 15 : v < 14 ? v : 14;
  lcSeen |= <u32>1 << e;
  lcMemo = (lcMemo & ~(<u32>15 << (e * 4))) | (<u32>enc << (e * 4));
}

/** The first epitem of e's rbtree with key >= k, in ep_cmp_ffd order (objects.ts epFirstFrom, read as part of
 *  this one step like the rest of the check). */
function rbNext(e: i32, k: i32): i32 {
  let best = -1;
  let bestKey = 0x7fffffff;
  for (let i = 0; i < nItems; i++) {
    if (!itemUsed(i) || itemEp(i) != e || !itemHas(i, IF_RBR)) continue;
    const key = keyOf(i);
    if (key >= k && key < bestKey) {
      best = i;
      bestKey = key;
    }
  }
  return best;
}

function lcDown(e: i32, depth: i32): i32 {
  if (seen(e)) return memo(e);
  lcSeen |= <u32>1 << e;
  let result = 0;
  let key = 0;
  for (;;) {
    const i = rbNext(e, key);
    if (i < 0) break;
    key = keyOf(i) + 1;
    const f = itemFile(i);
    if (!isEpoll(f)) continue;
    const c = fileEp(f);
    if (c == lcInto || depth > EP_MAX_NESTS) result = lcError;
    else result = lcMax(result, lcDown(c, depth + 1) + 1);
    if (result > EP_MAX_NESTS) break;
  }
  setMemo(e, result);
  return result;
}

function lcUp(e: i32, depth: i32): i32 {
  if (seen(e)) return memo(e);
  if (depth > nEpolls) return 0; // only a cycle the bug let through gets here; the kernel would recurse forever
  const f = epFile(e);
  let result = 0;
  for (let i = 0; i < nItems; i++) {
    if (itemUsed(i) && itemHas(i, IF_FEP) && itemFile(i) == f) result = lcMax(result, lcUp(itemEp(i), depth + 1) + 1);
  }
  setMemo(e, result);
  return result;
}

/** ep_loop_check(ep, to) since f2e467a48287: true for -1 (ELOOP). `fixed`: fdcfce93073d's error value. */
export function kernelLoopCheckFails(ep: i32, to: i32, fixed: bool): bool {
  lcSeen = 0;
  lcMemo = 0;
  lcInto = ep;
  lcError = fixed ? EP_MAX_NESTS + 1 : i32.MAX_VALUE;
  const depth = lcDown(to, 0);
  if (depth > EP_MAX_NESTS) return true;
  return depth + 1 + lcUp(ep, 0) > EP_MAX_NESTS;
}

/** An epoll at the top of a chain of epolls watching epolls longer than EP_MAX_NESTS, or -1. */
export function nestingTooDeep(): i32 {
  if (load<u8>(CFG + C_NEPOLLS) < <u8>(EP_MAX_NESTS + 2)) return -1; // a chain of 5 edges needs 6 epolls
  for (let e = 0; e < nEpolls; e++) if (down(e, 0) > EP_MAX_NESTS) return e;
  return -1;
}

// path_count[] per depth (1..4; depth 0 is unlimited). Wasm globals, not a static array: in the threaded build
// static data lies in the memory every worker instance shares, and workers run loop checks at the same time.
let count1: i32 = 0;
let count2: i32 = 0;
let count3: i32 = 0;
let count4: i32 = 0;

function resetCounts(): void {
  count1 = 0;
  count2 = 0;
  count3 = 0;
  count4 = 0;
}

function pathCountInc(depth: i32): bool {
  if (depth == 0) return true; // any number of depth-0 paths
  let n: i32;
  if (depth == 1) n = ++count1;
  else if (depth == 2) n = ++count2;
  else if (depth == 3) n = ++count3;
  else n = ++count4;
  return n <= <i32>load<u16>(CFG + C_PATH_LIMITS + <usize>(depth * 2));
}

/** reverse_path_check_proc over the watchers of file f; false when a limit is exceeded. */
function reversePaths(f: i32, depth: i32): bool {
  if (depth > EP_MAX_NESTS) return false;
  for (let i = 0; i < nItems; i++) {
    if (!itemUsed(i) || !itemHas(i, IF_FEP) || itemGet(i, I_FILE) != f) continue;
    const ef = epFile(itemEp(i));
    let watched = false;
    for (let j = 0; j < nItems; j++) if (itemUsed(j) && itemHas(j, IF_FEP) && itemFile(j) == ef) watched = true;
    const ok = watched ? reversePaths(ef, depth + 1) : pathCountInc(depth);
    if (!ok) return false;
  }
  return true;
}

/** The path-limit invariant: a watched non-epoll file whose wakeup paths break reverse_path_check's rule, or -1.
 *  Only at rest (the global mutex and every ep->mtx free): between ep_insert's link and reverse_path_check (and
 *  its undo on failure) the kernel itself has the excess path for a moment. */
export function pathLimitExceeded(): i32 {
  if (nEpolls < 2 || load<u8>(gAddr(G_GMTX)) != 0) return -1; // a path of depth 1 needs an epoll watched by another
  for (let e = 0; e < nEpolls; e++) if (load<u8>(epAddr(e) + E_MTX) != 0) return -1;
  for (let f = 0; f < nFiles; f++) {
    if (isEpoll(f)) continue;
    let watched = false;
    for (let i = 0; i < nItems; i++) if (itemUsed(i) && itemHas(i, IF_FEP) && itemFile(i) == f) watched = true;
    if (!watched) continue;
    resetCounts();
    if (!reversePaths(f, 0)) return f;
  }
  return -1;
}

/** reverse_path_check(): every file on tfile_check_list, its path counts reset first (path_count_init). */
export function reversePathCheckFails(): bool {
  const list = <i32>load<u16>(gAddr(G_TFILE_LIST));
  for (let f = 0; f < 16; f++) {
    if ((list & (1 << f)) == 0) continue;
    resetCounts();
    if (!reversePaths(f, 0)) return true;
  }
  return false;
}
