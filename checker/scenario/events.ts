// Event masks and epitem data as the scenario language writes them (`IN|OUT|ET`, `data=7`): shared by `watch`
// declarations, epoll_ctl operations (model/ops/epoll_ctl/op.ts) and the `E.events(F, n)` atom.

import { EVENT_NAMES, LIMITS } from './constants.ts';
import { describe, type LineLexer } from './lexer.ts';
import { number, orList, punct } from './syntax.ts';
import type { EventName } from './types.ts';

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
