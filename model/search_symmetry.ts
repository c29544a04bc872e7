// Symmetry reduction for interchangeable threads (owned by the search engine). Two threads are interchangeable
// when they use the same fd table, run the same operation list, and no expectation names either of them: then
// the kernel's transition relation and every property are invariant under swapping them (the kernel refers to a
// thread only through its own record and through lock owner bytes, which are renamed here; invariants and
// built-in checks quantify over all threads). A state is replaced by a canonical representative of its orbit
// (Ip & Dill, "Better verification through symmetry", FMSD 1996): within each group, thread records are sorted
// bytewise and every lock owner byte is renamed accordingly. Canonical forms need not be unique per orbit for
// soundness; equal records in different lock roles merely give two representatives.

import {
  E_MTX, F_LOCK, F_RCU, G_GMTX, G_NL, OP_BYTES, epAddr, fileAddr, gAddr, nEpolls, nFiles, nTables, nThreads, opAddr, setState,
  tableAddr, threadAddr, threadNops, threadStride, threadTable,
} from './layout';

// Region: group of each thread u8[8] (0xFF: alone), permutation u8[8] (new index -> old index), map u8[8]
// (old -> new), scratch record.
let base: usize = 0;
const OFF_GROUP: usize = 0;
const OFF_PERM: usize = 8;
const OFF_MAP: usize = 16;
const OFF_NGROUPS: usize = 24;
const OFF_TMP: usize = 32;
const BYTES: usize = 32 + 256; // the scratch record must hold a thread record (threadStride <= 256)
let nGroups: i32 = 0;

export function symmetryBytes(): i32 {
  return <i32>BYTES;
}

function sameOps(a: i32, b: i32): bool {
  if (threadTable(a) != threadTable(b) || threadNops(a) != threadNops(b)) return false;
  for (let k = 0; k < threadNops(a); k++) {
    const pa = opAddr(a, k);
    const pb = opAddr(b, k);
    for (let i = 0; i < OP_BYTES; i++) if (load<u8>(pa + <usize>i) != load<u8>(pb + <usize>i)) return false;
  }
  return true;
}

/** Find the groups. `named`: threads that expectations refer to (never grouped). Returns the number of threads
 *  that belong to a group of two or more. */
export function symmetryInit(addr: usize, named: u32): i32 {
  base = addr;
  memory.fill(base, 0xff, 16);
  nGroups = 0;
  let grouped = 0;
  for (let a = 0; a < nThreads; a++) {
    if ((named & (<u32>1 << a)) != 0 || load<u8>(base + OFF_GROUP + <usize>a) != 0xff) continue;
    let members = 0;
    for (let b = a + 1; b < nThreads; b++) {
      if ((named & (<u32>1 << b)) != 0 || load<u8>(base + OFF_GROUP + <usize>b) != 0xff) continue;
      if (sameOps(a, b)) {
        store<u8>(base + OFF_GROUP + <usize>b, <u8>nGroups);
        members++;
      }
    }
    if (members > 0) {
      store<u8>(base + OFF_GROUP + <usize>a, <u8>nGroups);
      nGroups++;
      grouped += members + 1;
    }
  }
  store<u8>(base + OFF_NGROUPS, <u8>nGroups);
  return grouped;
}

/** Use groups found by another instance on the same (shared) memory (each instance sorts in its own scratch). */
export function symmetryAttach(addr: usize, scratch: usize): void {
  nGroups = load<u8>(addr + OFF_NGROUPS);
  memory.copy(scratch, addr, 32);
  base = scratch;
}

function cmpThreads(s: usize, a: i32, b: i32): i32 {
  setState(s);
  const pa = threadAddr(a);
  const pb = threadAddr(b);
  for (let i = 0; i < threadStride; i++) {
    const x = <i32>load<u8>(pa + <usize>i);
    const y = <i32>load<u8>(pb + <usize>i);
    if (x != y) return x - y;
  }
  return 0;
}

function swapThreads(s: usize, a: i32, b: i32): void {
  setState(s);
  const pa = threadAddr(a);
  const pb = threadAddr(b);
  const tmp = base + OFF_TMP;
  memory.copy(tmp, pa, <usize>threadStride);
  memory.copy(pa, pb, <usize>threadStride);
  memory.copy(pb, tmp, <usize>threadStride);
  const perm = base + OFF_PERM;
  const x = load<u8>(perm + <usize>a);
  store<u8>(perm + <usize>a, load<u8>(perm + <usize>b));
  store<u8>(perm + <usize>b, x);
}

function renameOwner(p: usize): void {
  const v = <i32>load<u8>(p);
  if (v != 0) store<u8>(p, load<u8>(base + OFF_MAP + <usize>(v - 1)) + 1);
}

/** A thread bitmask (F_RCU: readers protected across a free), renamed bit by bit. */
function renameMask(p: usize): void {
  const v = <i32>load<u8>(p);
  if (v == 0) return;
  let m = 0;
  for (let t = 0; t < nThreads; t++) if ((v & (1 << t)) != 0) m |= 1 << load<u8>(base + OFF_MAP + <usize>t);
  store<u8>(p, <u8>m);
}

/** Canonicalise state s in place. Returns true if it changed; permutation() then gives, for each new thread
 *  index, the thread index it had before. */
export function canonicalize(s: usize): bool {
  if (nGroups == 0) return false;
  const perm = base + OFF_PERM;
  for (let t = 0; t < 8; t++) store<u8>(perm + <usize>t, <u8>t);
  let changed = false;
  // Insertion sort inside each group, on the group's member positions (ascending thread index).
  for (let a = 1; a < nThreads; a++) {
    const g = load<u8>(base + OFF_GROUP + <usize>a);
    if (g == 0xff) continue;
    let j = a;
    while (true) {
      let i = j - 1;
      while (i >= 0 && load<u8>(base + OFF_GROUP + <usize>i) != g) i--;
      if (i < 0 || cmpThreads(s, i, j) <= 0) break;
      swapThreads(s, i, j);
      changed = true;
      j = i;
    }
  }
  if (!changed) return false;
  for (let n = 0; n < nThreads; n++) store<u8>(base + OFF_MAP + <usize>load<u8>(perm + <usize>n), <u8>n);
  setState(s);
  for (let t = 0; t < nTables; t++) renameOwner(tableAddr(t));
  for (let f = 0; f < nFiles; f++) {
    renameOwner(fileAddr(f) + F_LOCK);
    renameMask(fileAddr(f) + F_RCU);
  }
  for (let e = 0; e < nEpolls; e++) renameOwner(epAddr(e) + E_MTX);
  renameOwner(gAddr(G_GMTX));
  // The seccomp filter's notify_lock has an owner byte too (found by npm run fuzz: two trapped targets).
  renameOwner(gAddr(G_NL));
  return true;
}

/** After canonicalize() returned true: the old index of new thread n. */
export function permutationAt(n: i32): i32 {
  return load<u8>(base + OFF_PERM + <usize>n);
}
