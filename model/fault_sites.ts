// Fault-injection sites: each allocation that may fail names its site, so a scenario can give each site its own
// budget (`option faults ep_insert:1 attach_epitem:0`). Without per-site budgets every site draws on the global
// count (G_FAULTS counts injected faults). With them, G_FAULTS holds every site's count in one byte, in mixed
// radix (site i's digit has base budget_i + 1; the host checks that the product fits in a byte), so a per-site
// budget costs no state space. The names are in checker/scenario/faults.ts, in this order.

import { Cfg } from './abi';
import { CFG, G_FAULTS, S } from './layout';

export enum FaultSite {
  /** expand_fdtable: alloc_fdtable (kvmalloc of the new fd array). */
  ExpandFdtable = 0,
  /** ep_alloc: kzalloc of the struct eventpoll (epoll_create). */
  EpAlloc = 1,
  /** do_epoll_create: anon_inode_getfile for the epoll file. */
  AnonInodeGetfile = 2,
  /** ep_insert: kmem_cache_zalloc(epi_cache). */
  EpInsert = 3,
  /** attach_epitem: the epitems_head of a file without watchers. */
  AttachEpitem = 4,
  /** ep_ptable_queue_proc: the eppoll_entry (ep_item_poll from ep_insert). */
  EpPtableQueueProc = 5,
}
export const N_FAULT_SITES: i32 = 6;

/** Configuration: mode u8 (0 global count, 1 per site), total cap u8, then per site: budget u8, weight u8. */
export const C_FAULT_SITES: usize = <usize>Cfg.FaultSites;

function perSite(): bool {
  return load<u8>(CFG + C_FAULT_SITES) != 0;
}

function digit(site: i32): i32 {
  const p = CFG + C_FAULT_SITES + 2 + <usize>(site * 2);
  const w = <i32>load<u8>(p + 1);
  return (<i32>load<u8>(S + <usize>G_FAULTS) / w) % (<i32>load<u8>(p) + 1);
}

/** May `site` fail in this state? Always true without per-site budgets (the explorer checks the global count). */
export function faultSiteOpen(site: i32): bool {
  if (!perSite() || site < 0) return true;
  if (digit(site) >= <i32>load<u8>(CFG + C_FAULT_SITES + 2 + <usize>(site * 2))) return false;
  let total = 0;
  for (let i = 0; i < N_FAULT_SITES; i++) total += digit(i);
  return total < <i32>load<u8>(CFG + C_FAULT_SITES + 1);
}

/** Count a fault injected at `site`. */
export function chargeFault(site: i32): void {
  const a = S + <usize>G_FAULTS;
  if (!perSite() || site < 0) store<u8>(a, load<u8>(a) + 1);
  else store<u8>(a, load<u8>(a) + load<u8>(CFG + C_FAULT_SITES + 3 + <usize>(site * 2)));
}
