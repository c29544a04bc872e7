// An operation's bytes in the configuration block ([OpKind, arg, ...]) and the fds it names, both read from its
// descriptor in the op registry (model/ops/registry.ts).

import type { ArgKind } from '../../model/ops/descriptor.ts';
import { descriptorOf } from '../scenario/ops.ts';
import type { Op } from '../scenario/types.ts';
import type { Indexes } from './indexes.ts';

function field(op: Op, f: string): unknown {
  return (op as unknown as Record<string, unknown>)[f];
}

function encodeArg(kind: ArgKind, v: unknown, ix: Indexes): number {
  switch (kind) {
    case 'fd':
    case 'slot':
      return v as number;
    case 'file':
    case 'epoll':
      return ix.file(v as string);
    case 'process':
      return ix.tableOf(v as string);
  }
}

export function encodeOp(op: Op, ix: Indexes): number[] {
  const d = descriptorOf(op);
  if (d.custom) return d.custom.encode(op, ix);
  return [d.opKind, ...d.args.map((a) => encodeArg(a.kind, field(op, a.field), ix))];
}

/** The fd numbers an op names (in the thread's own table or another's): they size the fd table. */
export function opFds(op: Op): number[] {
  return descriptorOf(op)
    .args.filter((a) => a.kind === 'fd')
    .map((a) => field(op, a.field) as number);
}
