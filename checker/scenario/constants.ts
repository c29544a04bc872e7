// Fixed vocabularies of the scenario language. Kept apart from the parser so the CLI, the search and the
// reports can share them without pulling in parsing code.

import { Errno } from '../../model/abi.ts';
import type { EventName } from './types.ts';

/** errno names accepted in `T.ret == -ENAME`, with the kernel's values (model/abi.ts Errno). */
export const ERRNO: Record<string, number> = Object.freeze(
  Object.fromEntries(Object.entries(Errno).filter(([_k, v]) => typeof v === 'number')) as Record<string, number>,
);

/** Order used in error messages. */
export const EVENT_NAMES: readonly EventName[] = ['IN', 'OUT', 'ERR', 'HUP', 'ET', 'ONESHOT'];

/** uapi values (include/uapi/linux/eventpoll.h), for reports that print real event masks. */
export const EVENT_BITS: Record<EventName, number> = Object.freeze({
  IN: 0x1,
  OUT: 0x4,
  ERR: 0x8,
  HUP: 0x10,
  ET: 0x80000000,
  ONESHOT: 0x40000000,
});

// The kernel model keeps an epitem's event mask in one byte, so it uses its own dense bit assignment.
const EVENT_BYTE: Record<EventName, number> = Object.freeze({ IN: 1, OUT: 2, ERR: 4, HUP: 8, ET: 16, ONESHOT: 32 });

/** The one-byte mask the kernel model stores for `events` (IN→1, OUT→2, ERR→4, HUP→8, ET→16, ONESHOT→32). */
export function eventsToByte(events: readonly EventName[]): number {
  let b = 0;
  for (const e of events) b |= EVENT_BYTE[e];
  return b;
}

/** Property names `check NAME` accepts and `result` labels may name. The single list to extend. */
export const BUILTIN_PROPERTIES = [
  'refcount',
  'no-uaf',
  'watchers',
  'locks',
  'deadlock',
  'lock-order',
  'livelock',
  'check-list',
  'stale-registration',
  'fd-local-replace',
  'registration-follows-fd',
  'no-cross-process',
  'no-stale-io-uring',
  'free-while-locked',
  'linearizable',
] as const;

/** Bounds shared by the parser and its documentation. */
export const LIMITS = Object.freeze({
  maxFd: 255,
  maxData: 255,
  maxCount: 255,
  maxRet: 4095,
  maxOpsPerThread: 32,
  maxFaults: 8,
  maxUserWatches: 255,
  maxFdsOption: 64,
  maxExprDepth: 64,
});
