import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** epoll_create(E): creates the declared epoll E (which no table holds at the start); returns its fd. */
export const epollcreateOp = {
  name: 'epoll_create',
  opKind: OpKind.EpollCreate,
  args: [{ field: 'epoll', kind: 'epoll', what: "an epoll name after 'epoll_create('", after: 'after the epoll name' }],
  enter: { routine: 'Routine.EpollCreate', registers: ['a'] },
  functions: { do_epoll_create: [Routine.EpollCreate] },
  routines: [{ routine: Routine.EpollCreate, step: 'stepEpollCreate', file: 'routines/process' }],
} as const satisfies OpDescriptor;
