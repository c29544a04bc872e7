import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** seccomp SECCOMP_IOCTL_NOTIF_ADDFD with SETFD, executed in the target: receive_fd_replace(fd, file) ->
 *  replace_fd (fs/file.c). */
export const replaceOp = {
  name: 'replace',
  opKind: OpKind.Replace,
  args: [
    { field: 'fd', kind: 'fd', what: "an fd number after 'replace('", after: 'after the fd number' },
    { field: 'file', kind: 'file', what: "a file name after ','", after: 'after the file name' },
  ],
  enter: { routine: 'Routine.Replace', registers: ['a', 'b'] },
  functions: { replace_fd: [Routine.Replace] },
  routines: [{ routine: Routine.Replace, step: 'stepReplace', file: 'routines/fdtable' }],
} as const satisfies OpDescriptor;
