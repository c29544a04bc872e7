// The limits of the epoll loop check as fs/eventpoll.c has them, apart from the downward walk (loop_check.ts):
//   - the upward half of ep_loop_check (ep_get_upwards_depth_proc, added by f2e467a48287 "eventpoll: Fix
//     semi-unbounded recursion"): EPOLL_CTL_ADD of epoll `to` into `ep` fails with ELOOP when the longest chain
//     below `to`, plus the new edge, plus the longest chain of epolls watching `ep`, exceeds EP_MAX_NESTS;
//   - reverse_path_check (reverse_path_check_proc / path_count_inc): for each file on tfile_check_list, the
//     wakeup paths from it up through nested epolls are counted per depth and must stay within path_limits
//     (1000, 500, 100, 50, 10 in the kernel; `option path_limits` scales them down so that a small scenario can
//     reach them), and no path may be deeper than EP_MAX_NESTS; otherwise ep_insert fails with EINVAL;
//   - the nesting-depth invariant: no chain of epolls watching epolls is longer than EP_MAX_NESTS.
// The upward walk runs under rcu_read_lock without locks in the kernel; here it is one atomic step. The walk's
// visited marks (ep->gen) are the downward walk's business (loop_check.ts).

import { Cfg } from '../abi';
import { C_NEPOLLS, CFG, G_TFILE_LIST, I_FILE, IF_FEP, IF_RBR, epFile, fileEp, gAddr, nEpolls, nItems } from '../layout';
import { itemEp, itemFile, itemGet, itemHas, itemUsed } from '../objects';
import { EP_MAX_NESTS } from './loop_check';

/** path_limits[] per depth (u16 x 5), written by the host (checker/compile/config.ts). */
export const C_PATH_LIMITS: usize = <usize>Cfg.PathLimits;
const PATH_DEPTHS: i32 = 5;

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

/** ep_get_upwards_depth_proc: longest chain of epolls watching epoll e (epitems on e's file's f_ep). */
function up(e: i32, guard: i32): i32 {
  if (guard > nEpolls) return 0;
  const f = epFile(e);
  let best = 0;
  for (let i = 0; i < nItems; i++) {
    if (!itemUsed(i) || !itemHas(i, IF_FEP) || itemFile(i) != f) continue;
    const d = up(itemEp(i), guard + 1) + 1;
    if (d > best) best = d;
  }
  return best;
}

/** ep_loop_check's final test: depth below `to` + 1 + depth above `ep` > EP_MAX_NESTS. */
export function upwardsDepthFails(ep: i32, to: i32): bool {
  return down(to, 0) + 1 + up(ep, 0) > EP_MAX_NESTS;
}

/** An epoll at the top of a chain of epolls watching epolls longer than EP_MAX_NESTS, or -1. */
export function nestingTooDeep(): i32 {
  if (load<u8>(CFG + C_NEPOLLS) < <u8>(EP_MAX_NESTS + 2)) return -1; // a chain of 5 edges needs 6 epolls
  for (let e = 0; e < nEpolls; e++) if (down(e, 0) > EP_MAX_NESTS) return e;
  return -1;
}

const counts = new StaticArray<i32>(5);

function pathCountInc(depth: i32): bool {
  if (depth == 0) return true; // any number of depth-0 paths
  counts[depth] = counts[depth] + 1;
  return counts[depth] <= <i32>load<u16>(CFG + C_PATH_LIMITS + <usize>(depth * 2));
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

/** reverse_path_check(): every file on tfile_check_list, its path counts reset first (path_count_init). */
export function reversePathCheckFails(): bool {
  const list = <i32>load<u16>(gAddr(G_TFILE_LIST));
  for (let f = 0; f < 16; f++) {
    if ((list & (1 << f)) == 0) continue;
    for (let d = 0; d < PATH_DEPTHS; d++) counts[d] = 0;
    if (!reversePaths(f, 0)) return true;
  }
  return false;
}
