// expand_files -> expand_fdtable (fs/file.c): growing the table drops file_lock to allocate (may sleep), then
// publishes the new fdt under the lock; the old fdtable is freed after an RCU grace period. A grace period ends
// whenever no task is inside an RCU read section — tasks sleeping with file_lock dropped do not hold it up — so
// a walk that cached the old fdt and dropped file_lock (the RFC's v3 callback, docs/model.md §F.11) may find it freed.
// The model keeps a generation number per table; slot contents carry over unchanged.

import { LockClass } from '../codes';
import { TB_GEN, tableAddr, threadTable } from '../layout';
import { FP_TABLE, cur, FaultSite, faultPoint, fpWrite, label, opReturn, pc, setPc } from '../frame';
import { acquire, lockId, mightSleep, release } from '../locks';
import { Step } from '../steps';
import { ENOMEM } from '../errno';

export function fdtGen(tb: i32): i32 {
  return load<u8>(tableAddr(tb) + TB_GEN);
}

enum ExpandPc {
  Lock = 0,
  UnlockAlloc = 1,
  Alloc = 2,
  Relock = 3,
  Publish = 4,
}

export function stepExpandFdtable(): bool {
  const tb = threadTable(cur);
  const ft = lockId(LockClass.FileTable, tb);
  switch (pc()) {
    case ExpandPc.Lock:
      // @step ExpandLock | expand_files | fs/file.c | spin_lock(&files->file_lock): fd beyond max_fds
      label(Step.ExpandLock);
      if (!acquire(ft)) return false;
      setPc(ExpandPc.UnlockAlloc);
      return true;
    case ExpandPc.UnlockAlloc:
      // @step ExpandUnlockAlloc | expand_files | fs/file.c | files->resize_in_progress = true;
      //   spin_unlock(&files->file_lock)
      label(Step.ExpandUnlockAlloc); // files->resize_in_progress = true; spin_unlock; alloc_fdtable
      release(ft);
      setPc(ExpandPc.Alloc);
      return true;
    case ExpandPc.Alloc:
      // @step ExpandAlloc | expand_fdtable | fs/file.c | new_fdt = alloc_fdtable(nr) (GFP_KERNEL, may sleep)
      label(Step.ExpandAlloc);
      mightSleep();
      if (faultPoint(FaultSite.ExpandFdtable)) {
        opReturn(-ENOMEM);
        return true;
      }
      setPc(ExpandPc.Relock);
      return true;
    case ExpandPc.Relock:
      // @step ExpandRelock | expand_fdtable | fs/file.c | spin_lock(&files->file_lock)
      label(Step.ExpandRelock);
      if (!acquire(ft)) return false;
      setPc(ExpandPc.Publish);
      return true;
    default:
      // copy_fdtable; rcu_assign_pointer(files->fdt, new_fdt); call_rcu(&old->rcu, free_fdtable_rcu)
      // @step ExpandPublish | expand_fdtable | fs/file.c | copy_fdtable; rcu_assign_pointer(files->fdt, new_fdt);
      //   call_rcu(free_fdtable_rcu); unlock
      label(Step.ExpandPublish);
      fpWrite(FP_TABLE + tb);
      store<u8>(tableAddr(tb) + TB_GEN, <u8>(fdtGen(tb) + 1));
      release(ft);
      opReturn(0);
      return true;
  }
}
