import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** fork(C): copies this thread's table into process C's (empty) table, one reference per file (dup_fd, fs/file.c). */
export const forkOp = {
  name: 'fork',
  opKind: OpKind.Fork,
  args: [{ field: 'child', kind: 'process', what: "a process name after 'fork('", after: 'after the process name' }],
  enter: { routine: 'Routine.Fork', registers: ['a'] },
  functions: { dup_fd: [Routine.Fork] },
  routines: [{ routine: Routine.Fork, step: 'stepFork', file: 'routines/process' }],
} as const satisfies OpDescriptor;
