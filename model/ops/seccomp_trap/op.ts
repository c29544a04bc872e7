import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** The target's intercepted syscall traps to the supervisor and waits for ADDFD requests and the reply. */
export const seccomptrapOp = {
  name: 'seccomp_trap',
  opKind: OpKind.SeccompTrap,
  args: [],
  enter: { routine: 'Routine.SeccompTrap', registers: [] },
  functions: { seccomp_do_user_notification: [Routine.SeccompTrap] },
  routines: [{ routine: Routine.SeccompTrap, step: 'stepSeccompTrap', file: 'routines/seccomp' }],
} as const satisfies OpDescriptor;
