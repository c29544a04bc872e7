import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** kcmp(KCMP_FILE) of process P's fd N and this thread's fd M: 0 if the same struct file, 1 if not (kernel/kcmp.c). */
export const kcmpOp = {
  name: 'kcmp',
  opKind: OpKind.Kcmp,
  args: [
    { field: 'process', kind: 'process', what: "a process name after 'kcmp('", after: 'after the process name' },
    { field: 'fd', kind: 'fd', what: "the process's fd number after ','", after: 'after the fd number' },
    { field: 'own', kind: 'fd', what: "this thread's fd number after ','", after: 'after the fd number' },
  ],
  enter: { routine: 'Routine.Kcmp', registers: ['a', 'b', 'c'] },
  functions: { kcmp: [Routine.Kcmp] },
  routines: [{ routine: Routine.Kcmp, step: 'stepKcmp', file: 'routines/iouring' }],
  printsElseSkip: true,
} as const satisfies OpDescriptor;
