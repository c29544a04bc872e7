import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** pidfd_getfd(Q, N): a new fd in this thread's table for the file at Q's fd N (kernel/pid.c). */
export const pidfdgetfdOp = {
  name: 'pidfd_getfd',
  opKind: OpKind.PidfdGetfd,
  args: [
    { field: 'process', kind: 'process', what: "a process name after 'pidfd_getfd('", after: 'after the process name' },
    { field: 'fd', kind: 'fd', what: "an fd number after ','", after: 'after the fd number' },
  ],
  enter: { routine: 'Routine.PidfdGetfd', registers: ['a', 'b'] },
  functions: { pidfd_getfd: [Routine.PidfdGetfd] },
  routines: [{ routine: Routine.PidfdGetfd, step: 'stepPidfdGetfd', file: 'routines/process' }],
} as const satisfies OpDescriptor;
