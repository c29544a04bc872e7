import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** epoll_wait(epfd): ep_send_events over every item (all treated as ready). Returns the items reported. */
export const epollwaitOp = {
  name: 'epoll_wait',
  opKind: OpKind.EpollWait,
  args: [{ field: 'epfd', kind: 'fd', what: "the epoll fd number after 'epoll_wait('", after: 'after the epoll fd number' }],
  enter: { routine: 'Routine.EpollWait', registers: ['a'] },
  functions: { do_epoll_wait: [Routine.EpollWait] },
  routines: [{ routine: Routine.EpollWait, step: 'stepEpollWait', file: 'routines/epoll_wait' }],
} as const satisfies OpDescriptor;
