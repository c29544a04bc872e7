// Fixes and changes of fs/file.c, fs/file_table.c and the seccomp addfd path (Toggle bits 1<<23 .. 1<<30), each
// fix with its history scenario. The step programs that read them: model/routines/fdtable.ts (__fget_files_rcu),
// model/routines/fput.ts (fput), the fd_install sites (model/routines/fdtable.ts, process.ts).

import { Toggle } from '../../model/codes.ts';
import type { ToggleInfo } from './toggle-info.ts';

export const FILE_FIXES: ToggleInfo[] = [
  {
    name: 'fget-dup2-retry',
    bit: Toggle.FgetDup2Retry,
    kind: 'fix',
    commit: '5ba97d2832f8',
    title: 'fs/file.c: __fget() and dup2() atomicity rules',
    release: 'v4.2',
    scenario: 'scenarios/history/fget-dup2-5ba97d2832f8.fdr',
    doc:
      'when get_file_rcu finds the count already zero, __fget goes back and reads the slot again (dup2 may have ' +
      'stored the new file there); without it __fget returns NULL, and a lookup racing dup2(new, fd) fails with ' +
      'EBADF although fd was never closed.',
  },
  {
    name: 'fd-install-lockless',
    bit: Toggle.FdInstallLockless,
    kind: 'change',
    commit: '8a81252b774b',
    title: "fs/file.c: don't acquire files->file_lock in fd_install()",
    release: 'v4.2',
    doc:
      'fd_install stores the file into the reserved slot under rcu_read_lock_sched() (the resize_in_progress slow ' +
      'path takes file_lock); without it fd_install is spin_lock(&files->file_lock), the store, spin_unlock, so it ' +
      'waits while another task holds file_lock.',
  },
  {
    name: 'fput-task-work',
    bit: Toggle.FputTaskWork,
    kind: 'change',
    commit: '4a9d4b024a31',
    title: 'switch fput to task_work_add',
    release: 'v3.6',
    doc:
      "the final fput queues __fput on the putting task's task_work (run on its way back to user space); without " +
      'it fput calls __fput right there, in whatever context and under whatever locks the caller holds.',
  },
  {
    name: 'file-ref',
    bit: Toggle.FileRef,
    kind: 'change',
    commit: '90ee6ed776c0',
    title: 'fs: port files to file_ref',
    release: 'v6.13',
    doc:
      'f_count becomes file_ref_t: file_ref_get is an unconditional increment that fails only in the dead zone, and ' +
      'file_ref_put decrements to FILE_REF_NOREF and then cmpxchg()es NOREF to FILE_REF_DEAD; a lockless fget whose ' +
      'file_ref_get lands between the two revives the file and the put is not the last. Before, ' +
      'atomic_long_inc_not_zero and atomic_long_dec_and_test.',
  },
  {
    name: 'fput-close',
    bit: Toggle.FputClose,
    kind: 'change',
    commit: 'a914bd93f3ed',
    title: 'fs: use fput_close() in filp_close()',
    release: 'v6.15',
    doc:
      "filp_close (close(2), dup2's and replace_fd's displaced file) puts with file_ref_put_close: one cmpxchg from " +
      'ONEREF straight to FILE_REF_DEAD, no FILE_REF_NOREF window; before, file_ref_put.',
  },
];
