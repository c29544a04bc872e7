// Operation lines inside a `thread` block. fd arguments are plain numbers (they are looked up in the
// thread's table at run time, and an unused fd is a legitimate EBADF test), so only their range is checked.

import { EVENT_NAMES, LIMITS } from './constants.ts';
import { describe, type LineLexer, type Token } from './lexer.ts';
import type { Scope } from './scope.ts';
import { endOfLine, name, number, oneOf, orList, punct } from './syntax.ts';
import type { EpollOp, EventName, Op } from './types.ts';

const OPS = [
  'close',
  'dup',
  'dup2',
  'replace',
  'epoll_ctl',
  'fget',
  'fput',
  'epoll_wait',
  'epoll_create',
  'fork',
  'pidfd_getfd',
  'seccomp_trap',
  'recv',
  'addfd',
  'send',
  'kcmp',
  'io_uring_register',
  'io_uring_unregister',
  'io_uring_io',
  'expand_fdtable',
] as const;
const EPOLL_OPS: readonly EpollOp[] = ['ADD', 'DEL', 'MOD'];

export function isOpName(s: string): boolean {
  return (OPS as readonly string[]).includes(s);
}

function fd(lx: LineLexer, what: string): number {
  return number(lx, what, 'fd', 0, LIMITS.maxFd).num;
}

/** `IN|OUT|ET`, each event at most once. */
export function parseEvents(lx: LineLexer, after: string): EventName[] {
  const events: EventName[] = [];
  let context = after;
  for (;;) {
    const t = lx.peek();
    const e = EVENT_NAMES.find((x) => t.kind === 'name' && t.text === x);
    if (e === undefined) {
      if (t.kind === 'name') lx.fail(`unknown event '${t.text}' (expected ${orList(EVENT_NAMES)})`, t.loc);
      lx.fail(`expected an event (${orList(EVENT_NAMES)}) ${context}, found ${describe(t)}`, t.loc);
    }
    if (events.includes(e)) lx.fail(`event ${e} is given twice`, t.loc);
    events.push(e);
    lx.next();
    if (!lx.eat('|')) return events;
    context = "after '|'";
  }
}

/** `data=V` once the `data` name has been consumed. */
export function parseData(lx: LineLexer): number {
  punct(lx, '=', "after 'data'");
  return number(lx, "a value after 'data='", 'data', 0, LIMITS.maxData).num;
}

export function parseOp(lx: LineLexer, scope: Scope): Op {
  const t = lx.peek();
  if (t.kind !== 'name' || !isOpName(t.text)) {
    const found = t.kind === 'name' ? `unknown operation '${t.text}'` : `expected an operation, found ${describe(t)}`;
    lx.fail(`${found} (expected ${orList(OPS)})`, t.loc);
  }
  lx.next();
  const loc = t.loc;
  punct(lx, '(', `after '${t.text}'`);
  let op: Op;
  switch (t.text as (typeof OPS)[number]) {
    case 'close':
    case 'dup':
    case 'fget': {
      const n = fd(lx, `an fd number after '${t.text}('`);
      punct(lx, ')', 'after the fd number');
      op = { kind: t.text as 'close' | 'dup' | 'fget', fd: n, loc };
      break;
    }
    case 'epoll_wait': {
      const n = fd(lx, "the epoll fd number after 'epoll_wait('");
      punct(lx, ')', 'after the epoll fd number');
      op = { kind: 'epoll_wait', epfd: n, loc };
      break;
    }
    case 'epoll_create': {
      const e = name(lx, "an epoll name after 'epoll_create('");
      scope.resolve(e, 'epoll');
      punct(lx, ')', 'after the epoll name');
      op = { kind: 'epoll_create', epoll: e.text, loc };
      break;
    }
    case 'fork': {
      const c = name(lx, "a process name after 'fork('");
      scope.resolve(c, 'process');
      punct(lx, ')', 'after the process name');
      op = { kind: 'fork', child: c.text, loc };
      break;
    }
    case 'seccomp_trap':
    case 'recv':
    case 'send':
    case 'expand_fdtable':
      punct(lx, ')', `after '${t.text}(' (${t.text} takes no arguments)`);
      op = { kind: t.text as 'seccomp_trap' | 'recv' | 'send' | 'expand_fdtable', loc };
      break;
    case 'addfd': {
      const n = fd(lx, "the target's fd number after 'addfd('");
      punct(lx, ',', 'after the fd number');
      const src = fd(lx, "the supervisor's own fd number after ','");
      punct(lx, ')', 'after the source fd number');
      op = { kind: 'addfd', fd: n, src, loc };
      break;
    }
    case 'kcmp': {
      const q = name(lx, "a process name after 'kcmp('");
      scope.resolve(q, 'process');
      punct(lx, ',', 'after the process name');
      const n = fd(lx, "the process's fd number after ','");
      punct(lx, ',', 'after the fd number');
      const own = fd(lx, "this thread's fd number after ','");
      punct(lx, ')', 'after the fd number');
      op = { kind: 'kcmp', process: q.text, fd: n, own, loc };
      break;
    }
    case 'io_uring_register': {
      const k = number(lx, "a fixed-file slot number after 'io_uring_register('", 'slot', 0, 3).num;
      punct(lx, ',', 'after the slot number');
      const n = fd(lx, "an fd number after ','");
      punct(lx, ')', 'after the fd number');
      op = { kind: 'io_uring_register', slot: k, fd: n, loc };
      break;
    }
    case 'io_uring_unregister':
    case 'io_uring_io': {
      const k = number(lx, `a fixed-file slot number after '${t.text}('`, 'slot', 0, 3).num;
      punct(lx, ')', 'after the slot number');
      op = { kind: t.text as 'io_uring_unregister' | 'io_uring_io', slot: k, loc };
      break;
    }
    case 'pidfd_getfd': {
      const q = name(lx, "a process name after 'pidfd_getfd('");
      scope.resolve(q, 'process');
      punct(lx, ',', 'after the process name');
      const n = fd(lx, "an fd number after ','");
      punct(lx, ')', 'after the fd number');
      op = { kind: 'pidfd_getfd', process: q.text, fd: n, loc };
      break;
    }
    case 'dup2': {
      const oldfd = fd(lx, "an fd number after 'dup2('");
      punct(lx, ',', 'after the old fd number');
      const newfd = fd(lx, "the new fd number after ','");
      punct(lx, ')', 'after the new fd number');
      op = { kind: 'dup2', oldfd, newfd, loc };
      break;
    }
    case 'replace': {
      const n = fd(lx, "an fd number after 'replace('");
      punct(lx, ',', 'after the fd number');
      const file = name(lx, "a file name after ','");
      scope.resolve(file, 'file');
      punct(lx, ')', 'after the file name');
      op = { kind: 'replace', fd: n, file: file.text, loc };
      break;
    }
    case 'epoll_ctl':
      op = epollCtl(lx, loc);
      break;
    case 'fput':
      punct(lx, ')', "after 'fput(' (fput takes no arguments)");
      op = { kind: 'fput', loc };
      break;
  }
  if (lx.peek().kind === 'name' && lx.peek().text === 'else') {
    lx.next();
    const w = lx.peek();
    if (w.kind !== 'name' || w.text !== 'skip') lx.fail(`expected 'skip' after 'else', found ${describe(w)}`, w.loc);
    lx.next();
    op = { ...op, elseSkip: true };
  }
  lx.eat(';');
  endOfLine(lx, 'after the operation (one operation per line)');
  return op;
}

function epollCtl(lx: LineLexer, loc: Token['loc']): Op {
  const epfd = fd(lx, "the epoll fd number after 'epoll_ctl('");
  punct(lx, ',', 'after the epoll fd number');
  const { word: op } = oneOf(lx, EPOLL_OPS, `ADD, DEL or MOD after ','`);
  punct(lx, ',', `after ${op}`);
  const target = fd(lx, `the target fd number after '${op},'`);
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
}
