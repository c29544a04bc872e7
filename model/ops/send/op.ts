import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** Supervisor: SECCOMP_IOCTL_NOTIF_SEND (the reply). */
export const sendOp = {
  name: 'send',
  opKind: OpKind.NotifSend,
  args: [],
  enter: { routine: 'Routine.NotifSend', registers: [] },
  functions: { seccomp_notify_send: [Routine.NotifSend] },
  routines: [{ routine: Routine.NotifSend, step: 'stepNotifSend', file: 'routines/seccomp' }],
} as const satisfies OpDescriptor;
