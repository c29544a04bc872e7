// Fault-injection sites by name (model/fault_sites.ts FaultSite, same order): `option faults ep_insert:1 ...`
// and `fdrace variants --faults`. Each is an allocation the kernel may fail with -ENOMEM.

import { Cfg } from '../../model/abi.ts';
export interface FaultSiteInfo {
  name: string;
  /** Where the allocation is, in the kernel. */
  where: string;
  /** What the caller does when it fails. */
  effect: string;
}

export const FAULT_SITES: readonly FaultSiteInfo[] = Object.freeze([
  { name: 'expand_fdtable', where: 'fs/file.c expand_fdtable -> alloc_fdtable', effect: 'the op that grows the table returns -ENOMEM' },
  { name: 'ep_alloc', where: 'fs/eventpoll.c ep_alloc (kzalloc of the eventpoll)', effect: 'epoll_create returns -ENOMEM' },
  {
    name: 'anon_inode_getfile',
    where: 'fs/eventpoll.c do_epoll_create -> anon_inode_getfile',
    effect: 'the reserved fd is put back, the eventpoll freed, -ENOMEM',
  },
  { name: 'ep_insert', where: 'fs/eventpoll.c ep_insert: kmem_cache_zalloc(epi_cache)', effect: 'epoll_watches is decremented, EPOLL_CTL_ADD returns -ENOMEM' },
  {
    name: 'attach_epitem',
    where: 'fs/eventpoll.c attach_epitem: kmem_cache_alloc(ephead_cache)',
    effect: 'the epitem is freed, EPOLL_CTL_ADD returns -ENOMEM',
  },
  {
    name: 'ep_ptable_queue_proc',
    where: 'fs/eventpoll.c ep_ptable_queue_proc: kmem_cache_alloc(pwq_cache)',
    effect: 'ep_insert removes the half-inserted epitem (ep_remove), -ENOMEM',
  },
]);

export const FAULT_SITE_NAMES: readonly string[] = FAULT_SITES.map((s) => s.name);

/** Must match model/fault_sites.ts C_FAULT_SITES. */
export const C_FAULT_SITES: number = Cfg.FaultSites;

/** The configuration bytes for per-site budgets, or an error message when their counts do not fit one byte. */
export function faultSiteBytes(sites: Readonly<Record<string, number>>, total: number | undefined): { bytes: number[] } | { error: string } {
  const bytes = [1, 0];
  let weight = 1;
  let sum = 0;
  for (const name of FAULT_SITE_NAMES) {
    const b = sites[name] ?? 0;
    bytes.push(b, b === 0 ? 1 : weight); // a site without budget has one digit value: any weight will do
    weight *= b + 1;
    sum += b;
  }
  if (weight > 256) {
    return { error: `per-site fault budgets too large: the product of (budget + 1) over the sites is ${weight}, at most 256` };
  }
  bytes[1] = Math.min(total ?? sum, sum);
  return { bytes };
}
