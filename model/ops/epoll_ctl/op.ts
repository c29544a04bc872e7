import { EpollCtlOp, OpKind, Routine } from '../../codes.ts';
import { eventsToByte, LIMITS } from '../../../checker/scenario/constants.ts';
import { parseData, parseEvents } from '../../../checker/scenario/events.ts';
import { describe } from '../../../checker/scenario/lexer.ts';
import { number, oneOf, punct } from '../../../checker/scenario/syntax.ts';
import type { EventName } from '../../../checker/scenario/types.ts';
import { customOp, type Loc } from '../descriptor.ts';

export type EpollOp = 'ADD' | 'DEL' | 'MOD';
const EPOLL_OPS: readonly EpollOp[] = ['ADD', 'DEL', 'MOD'];
const CODE: Record<EpollOp, number> = { ADD: EpollCtlOp.Add, DEL: EpollCtlOp.Del, MOD: EpollCtlOp.Mod };

/** epoll_ctl(EPFD, ADD|DEL|MOD, FD[, EVENTS][, data=V]): do_epoll_ctl (fs/eventpoll.c). Events default to IN and
 *  data to the target fd; DEL takes neither. */
export interface EpollCtl {
  kind: 'epoll_ctl';
  epfd: number;
  op: EpollOp;
  fd: number;
  events: EventName[];
  data: number;
  loc: Loc;
}

export const epollctlOp = customOp<EpollCtl>({
  name: 'epoll_ctl',
  opKind: OpKind.EpollCtl,
  args: [
    { field: 'epfd', kind: 'fd', what: "the epoll fd number after 'epoll_ctl('", after: 'after the epoll fd number' },
    { field: 'fd', kind: 'fd', what: "the target fd number after 'OP,'", after: 'after the target fd number' },
  ],
  enter: { routine: 'Routine.EpollCtl', registers: ['a', 'b', 'c', 'd', 'e'] },
  functions: { do_epoll_ctl: [Routine.EpollCtl] },
  routines: [{ routine: Routine.EpollCtl, step: 'stepEpollCtl', file: 'routines/epoll_ctl' }],
  custom: {
    parse(lx, _scope, loc) {
      const fd = (what: string) => number(lx, what, 'fd', 0, LIMITS.maxFd).num;
      const epfd = fd("the epoll fd number after 'epoll_ctl('");
      punct(lx, ',', 'after the epoll fd number');
      const { word: op } = oneOf(lx, EPOLL_OPS, `ADD, DEL or MOD after ','`);
      punct(lx, ',', `after ${op}`);
      const target = fd(`the target fd number after '${op},'`);
      let events: EventName[] | undefined;
      let data: number | undefined;
      for (let comma = lx.eat(','); comma; comma = lx.eat(',')) {
        const t = lx.peek();
        if (data !== undefined) lx.fail(`expected ')' after the data, found ','`, comma.loc);
        if (t.kind === 'name' && t.text === 'data') {
          if (op === 'DEL') lx.fail('epoll_ctl DEL takes no data', t.loc);
          lx.next();
          data = parseData(lx);
        } else if (events === undefined) {
          if (op === 'DEL') lx.fail('epoll_ctl DEL takes no events', t.loc);
          events = parseEvents(lx, "after ','");
        } else {
          lx.fail(`expected 'data=V' after ',', found ${describe(t)} (join events with '|')`, t.loc);
        }
      }
      if (!lx.isPunct(')')) {
        const last = data !== undefined ? 'data' : events !== undefined ? 'events' : 'target fd number';
        const t = lx.peek();
        lx.fail(`expected ${data === undefined ? "',' or ')'" : "')'"} after the ${last}, found ${describe(t)}`, t.loc);
      }
      lx.next();
      return { kind: 'epoll_ctl', epfd, op, fd: target, events: op === 'DEL' ? [] : (events ?? ['IN']), data: data ?? target, loc };
    },
    encode: (op) => [OpKind.EpollCtl, op.epfd, CODE[op.op], op.fd, eventsToByte(op.events), op.data & 0xff],
    print: (op) =>
      op.op === 'DEL' ? `epoll_ctl(${op.epfd}, DEL, ${op.fd})` : `epoll_ctl(${op.epfd}, ${op.op}, ${op.fd}, ${op.events.join('|')}, data=${op.data})`,
  },
});
