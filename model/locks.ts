// Locks as owner bytes inside the objects they protect (0 = free, else thread + 1). An acquisition that finds the
// lock taken by another thread makes the whole step not enabled (the thread is blocked on it); taking a lock the
// thread already holds is the AA deadlock lockdep calls "possible recursive locking".

import { E_MTX, F_LOCK, G_GMTX, epAddr, fileAddr, gAddr, nEpolls, nFiles, nTables, tableAddr } from './layout';
import { LockClass, Viol } from './codes';
import { FP_EPOLL, FP_FILE, FP_GLOBAL, FP_TABLE, blockedOn, cur, fpWrite, violate } from './frame';

export function lockId(cls: LockClass, inst: i32): i32 {
  return (<i32>cls << 8) | inst;
}

/** Address of a lock's owner byte. */
export function lockAddr(id: i32): usize {
  const cls = id >> 8;
  const inst = id & 0xff;
  if (cls == LockClass.FileTable) return tableAddr(inst);
  if (cls == LockClass.FLock) return fileAddr(inst) + F_LOCK;
  if (cls == LockClass.EpMtx) return epAddr(inst) + E_MTX;
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

/** Try to take lock `id` for the current thread. false = blocked (the step must not happen). */
export function acquire(id: i32): bool {
  fpWrite(lockObject(id));
  const a = lockAddr(id);
  const owner = load<u8>(a);
  if (owner == 0) {
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
  fpWrite(lockObject(id));
  store<u8>(lockAddr(id), 0);
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
  for (let e = 0; e < nEpolls; e++) if (load<u8>(epAddr(e) + E_MTX) == me) return true;
  return false;
}
