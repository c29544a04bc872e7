import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** Supervisor: SECCOMP_IOCTL_NOTIF_RECV. */
export const recvOp = {
  name: 'recv',
  opKind: OpKind.NotifRecv,
  args: [],
  enter: { routine: 'Routine.NotifRecv', registers: [] },
  functions: { seccomp_notify_recv: [Routine.NotifRecv] },
  routines: [{ routine: Routine.NotifRecv, step: 'stepNotifRecv', file: 'routines/seccomp' }],
} as const satisfies OpDescriptor;
