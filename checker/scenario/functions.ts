// Kernel functions a thread can be "at" (`T at ep_remove`): the function of the routine on top of the thread's
// stack, i.e. the function its next step runs in. Names are the kernel's (fs/file.c, fs/eventpoll.c,
// fs/file_table.c, kernel/seccomp.c); a function the model splits over several routines lists them all.
// `user` means the thread is in user space (between syscalls, or finished). The functions that enter the kernel
// for an op come from its descriptor (model/ops/<op>/op.ts); the ones below are the callees several ops share.

import { Routine } from '../../model/codes.ts';
import { OPS } from '../../model/ops/registry.ts';

const CALLEES: Readonly<Record<string, readonly number[]>> = {
  fget: [Routine.Fget],
  fdget: [Routine.Fdget],
  fput: [Routine.Fput],
  filp_close: [Routine.FilpClose],
  __fput: [Routine.FinalFput],
  ep_insert: [Routine.EpInsert],
  ep_remove: [Routine.EpRemove],
  eventpoll_release_file: [Routine.EventpollReleaseFile, Routine.ReleaseFileRef],
  ep_free: [Routine.EpFree],
  eventpoll_replace_file: [Routine.RfcEpReplace, Routine.RfcV7EpReplace],
  iterate_fd: [Routine.RfcFdWalk],
  alloc_fd: [Routine.AllocFd],
  ep_clear_and_put: [Routine.EpClearAndPut],
  ep_send_events: [Routine.EpScan],
  ep_loop_check_proc: [Routine.EpLoopCheck],
};

function merge(): Record<string, readonly number[]> {
  const out: Record<string, number[]> = { user: [Routine.None] };
  const add = (fns: Readonly<Record<string, readonly number[]>>) => {
    for (const [fn, routines] of Object.entries(fns)) {
      const have = out[fn] ?? [];
      for (const r of routines) if (!have.includes(r)) have.push(r);
      out[fn] = have;
    }
  };
  for (const d of OPS) add(d.functions);
  add(CALLEES);
  return out;
}

/** user, then the ops' entry functions in registry order, then the shared callees. */
export const KERNEL_FUNCTIONS: Readonly<Record<string, readonly number[]>> = Object.freeze(merge());
