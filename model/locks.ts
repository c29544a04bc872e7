// Locks as owner bytes inside the objects they protect (0 = free, else thread + 1). An acquisition that finds the
// lock taken by another thread makes the whole step not enabled (the thread is blocked on it); taking a lock the
// thread already holds is the AA deadlock lockdep calls "possible recursive locking".

import { LockIndex } from './abi';
import { C_LOCK_EDGES, CFG, E_MTX, F_LOCK, G_GMTX, G_NL, epAddr, fileAddr, gAddr, nEpolls, nFiles, nTables, tableAddr } from './layout';
import { Access, MemField } from './codes';
import { epAccess, fileAccess, rcuDrop } from './memory';
import { lastLabel } from './frame';
import { LockClass, Viol } from './codes';
import {
  FP_EPOLL, FP_FILE, FP_GLOBAL, FP_TABLE, blockedOn, cur, fpBeyondLocks, fpLockOp, setBeyondLocks, violate,
} from './frame';


export function lockId(cls: LockClass, inst: i32): i32 {
  return (<i32>cls << 8) | inst;
}

/** The global epoll mutex: epmutex (v6.2) / epnested_mutex (current). */
export const EPMUTEX: i32 = (<i32>LockClass.Global) << 8;

/** Address of a lock's owner byte. */
export function lockAddr(id: i32): usize {
  const cls = id >> 8;
  const inst = id & 0xff;
  if (cls == LockClass.FileTable) return tableAddr(inst);
  if (cls == LockClass.FLock) return fileAddr(inst) + F_LOCK;
  if (cls == LockClass.EpMtx) return epAddr(inst) + E_MTX;
  if (cls == LockClass.Notify) return gAddr(G_NL);
  return gAddr(G_GMTX);
}

/** Footprint bit of the object a lock lives in. */
function lockObject(id: i32): i32 {
  const cls = id >> 8;
  const inst = id & 0xff;
  if (cls == LockClass.FileTable) return FP_TABLE + inst;
  if (cls == LockClass.FLock) return FP_FILE + inst;
  if (cls == LockClass.EpMtx) return FP_EPOLL + inst;
  return FP_GLOBAL;
}
// (notify_lock and the notification live in the global header: FP_GLOBAL.)

/** Dense index of a lock instance for the lock-order table: file tables 0..7, f_locks 8..23, ep->mtx 24..31,
 *  the global epoll mutex 32. */
export const NLOCKS: i32 = LockIndex.Count;
export function lockIndex(id: i32): i32 {
  const cls = id >> 8;
  const inst = id & 0xff;
  if (cls == LockClass.FileTable) return LockIndex.Tables + inst;
  if (cls == LockClass.FLock) return LockIndex.FLocks + inst;
  if (cls == LockClass.EpMtx) return LockIndex.EpMtx + inst;
  if (cls == LockClass.Notify) return LockIndex.Notify;
  return LockIndex.Global;
}

/** Record "B taken while A held" for every lock A the thread holds (lockdep's dependency graph, per instance).
 *  The table lives outside the state: it accumulates over the whole exploration, so an inversion is found even
 *  when no explored interleaving actually deadlocks. Each edge keeps its first witness (step label and thread)
 *  and whether the global epoll mutex was held at every witness: a cycle whose edges are all taken under that
 *  mutex cannot deadlock (it is a gate lock, as in Havelund's GoodLock), so those are not reported.
 *  Entry: 1 | gated << 1 | thread << 2 | label << 5. */
function recordEdges(id: i32): void {
  const to = lockIndex(id);
  const me = <u8>(cur + 1);
  const gated = load<u8>(gAddr(G_GMTX)) == me && to != 32 ? 1 : 0;
  for (let from = 0; from < NLOCKS; from++) {
    if (from == to) continue;
    let held = false;
    if (from < 8) held = from < nTables && load<u8>(tableAddr(from)) == me;
    else if (from < 24) held = from - 8 < nFiles && load<u8>(fileAddr(from - 8) + F_LOCK) == me;
    else if (from < 32) held = from - 24 < nEpolls && load<u8>(epAddr(from - 24) + E_MTX) == me;
    else if (from == 32) held = load<u8>(gAddr(G_GMTX)) == me;
    else held = load<u8>(gAddr(G_NL)) == me;
    if (!held) continue;
    if (from == 32) continue; // edges out of the gate lock itself are in every full check: not interesting
    const p = CFG + C_LOCK_EDGES + <usize>((from * NLOCKS + to) * 2);
    const e = <i32>load<u16>(p);
    if (e == 0) store<u16>(p, <u16>(1 | (gated << 1) | (cur << 2) | (lastLabel << 5)));
    else if (gated == 0 && (e & 2) != 0) store<u16>(p, <u16>(e & ~2));
  }
}

/** Try to take lock `id` for the current thread. false = blocked (the step must not happen). */
export function acquire(id: i32): bool {
  fpLockOp(lockObject(id));
  const beyond = fpBeyondLocks;
  const alive = lockMemory(id, Access.Lock);
  setBeyondLocks(beyond); // the liveness check is part of the lock operation
  if (!alive) return true; // reported: the search does not go past a use-after-free
  const a = lockAddr(id);
  const owner = load<u8>(a);
  if (owner == 0) {
    recordEdges(id);
    store<u8>(a, <u8>(cur + 1));
    return true;
  }
  if (owner == <u8>(cur + 1)) {
    violate(Viol.RecursiveLock, id & 0xff);
    return true;
  }
  blockedOn = id;
  return false;
}

export function release(id: i32): void {
  fpLockOp(lockObject(id));
  const beyond = fpBeyondLocks;
  lockMemory(id, Access.Unlock);
  setBeyondLocks(beyond);
  store<u8>(lockAddr(id), 0);
  // spin_unlock ends the preempt-disabled region: the read-side section that protected this file.
  if (id >> 8 == LockClass.FLock) rcuDrop(id & 0xff);
}

/** spin_lock(&file->f_lock) / mutex_lock(&ep->mtx) and their unlocks touch the struct the lock is embedded in
 *  (files_struct, the seccomp filter and the global mutex outlive every scenario). */
function lockMemory(id: i32, kind: Access): bool {
  const cls = id >> 8;
  if (cls == LockClass.FLock) return fileAccess(id & 0xff, MemField.FLock, kind);
  if (cls == LockClass.EpMtx) return epAccess(id & 0xff, MemField.Mtx, kind);
  return true;
}

export function ownerOf(id: i32): i32 {
  return <i32>load<u8>(lockAddr(id)) - 1;
}

/** Does thread t hold a spinlock (file_lock or f_lock)? */
export function holdsSpin(t: i32): bool {
  const me = <u8>(t + 1);
  for (let i = 0; i < nTables; i++) if (load<u8>(tableAddr(i)) == me) return true;
  for (let f = 0; f < nFiles; f++) if (load<u8>(fileAddr(f) + F_LOCK) == me) return true;
  return false;
}

/** A step that may sleep (mutex_lock, GFP_KERNEL allocation, ->flush, __fput): flag it under a spinlock. */
export function mightSleep(): void {
  if (holdsSpin(cur)) violate(Viol.SleepInAtomic, cur);
}

/** Does thread t hold any lock at all? (Checked when it returns to user space.) */
export function holdsAny(t: i32): bool {
  const me = <u8>(t + 1);
  if (holdsSpin(t)) return true;
  if (load<u8>(gAddr(G_GMTX)) == me) return true;
  if (load<u8>(gAddr(G_NL)) == me) return true;
  for (let e = 0; e < nEpolls; e++) if (load<u8>(epAddr(e) + E_MTX) == me) return true;
  return false;
}

/** mutex_lock(&ep->mtx) on an eventpoll that may already be freed (a use-after-free if so: acquire checks). */
export function acquireEp(ep: i32): bool {
  return acquire(lockId(LockClass.EpMtx, ep));
}

/** Footprint bit of the object lock `id` lives in (model/search_props.ts: what a lock atom reads). */
export function lockObjectBit(id: i32): u64 {
  return (<u64>1) << <u64>lockObject(id);
}
