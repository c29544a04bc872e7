import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** Supervisor: SECCOMP_IOCTL_NOTIF_ADDFD {SETFD, newfd = fd, srcfd = the supervisor's own fd src}. */
export const addfdOp = {
  name: 'addfd',
  opKind: OpKind.NotifAddfd,
  args: [
    { field: 'fd', kind: 'fd', what: "the target's fd number after 'addfd('", after: 'after the fd number' },
    { field: 'src', kind: 'fd', what: "the supervisor's own fd number after ','", after: 'after the source fd number' },
  ],
  enter: { routine: 'Routine.NotifAddfd', registers: ['a', 'b'] },
  functions: { seccomp_notify_addfd: [Routine.NotifAddfd] },
  routines: [{ routine: Routine.NotifAddfd, step: 'stepNotifAddfd', file: 'routines/seccomp' }],
} as const satisfies OpDescriptor;
