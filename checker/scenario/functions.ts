// Kernel functions a thread can be "at" (`T at ep_remove`): the function of the routine on top of the thread's
// stack, i.e. the function its next step runs in. Names are the kernel's (fs/file.c, fs/eventpoll.c,
// fs/file_table.c, kernel/seccomp.c); a function the model splits over several routines lists them all.
// `user` means the thread is in user space (between syscalls, or finished).

import { Routine } from '../../model/codes.ts';

export const KERNEL_FUNCTIONS: Readonly<Record<string, readonly number[]>> = Object.freeze({
  user: [Routine.None],
  close_fd: [Routine.Close],
  ksys_dup: [Routine.Dup],
  ksys_dup3: [Routine.Dup2],
  replace_fd: [Routine.Replace],
  do_epoll_ctl: [Routine.EpollCtl],
  fget: [Routine.FgetOp, Routine.Fget],
  fdget: [Routine.Fdget],
  fput: [Routine.FputOp, Routine.Fput],
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
  do_epoll_wait: [Routine.EpollWait],
  ep_send_events: [Routine.EpScan],
  do_epoll_create: [Routine.EpollCreate],
  dup_fd: [Routine.Fork],
  pidfd_getfd: [Routine.PidfdGetfd],
  ep_loop_check_proc: [Routine.EpLoopCheck],
  seccomp_do_user_notification: [Routine.SeccompTrap],
  seccomp_notify_recv: [Routine.NotifRecv],
  seccomp_notify_addfd: [Routine.NotifAddfd],
  seccomp_notify_send: [Routine.NotifSend],
  kcmp: [Routine.Kcmp],
  io_uring: [Routine.IoUring],
  expand_fdtable: [Routine.ExpandFdtable],
});
