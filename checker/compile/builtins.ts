// Built-in semantic properties (spec E16, E17, E19, E20, E21), compiled to the kernel's expectation bytecode.
// They are the properties the 2023 review argued about: what a replacement may change and what must follow it.

import { PredOp } from '../../model/codes.ts';
import type { Op, Scenario } from '../scenario/types.ts';
import type { Indexes } from './indexes.ts';

export interface BuiltinExpectation {
  /** The kind this part reports (checker/scenario/kinds.ts PROPERTY_KINDS). */
  kind: string;
  modality: 'always' | 'never' | 'at-end' | 'sometimes';
  text: string;
  code: number[];
}

// G_SEM bits (model/fields.ts).
const SEM_OTHER_FD = 1;
const SEM_CROSS_PROCESS = 2;

function konst(v: number): number[] {
  const u = v & 0xffff;
  return [PredOp.Const, u & 0xff, u >> 8];
}

/** A replacement request in the scenario: who asks, for which fd of which table, with which new file. */
interface Replacement {
  thread: number;
  op: number;
  table: number;
  fd: number;
  oldFile: number;
  newFile: number;
}

function initialFile(s: Scenario, ix: Indexes, table: number, fd: number): number | undefined {
  const p = s.processes.find((x) => !x.shares && ix.tableOf(x.name) === table);
  const d = p?.fds.find((x) => x.fd === fd);
  return d ? ix.file(d.file) : undefined;
}

function replacements(s: Scenario, ix: Indexes): Replacement[] {
  const out: Replacement[] = [];
  const trapper = s.threads.find((t) => t.ops.some((o) => o.kind === 'seccomp_trap'));
  s.threads.forEach((t, ti) => {
    t.ops.forEach((op: Op, k) => {
      if (op.kind === 'replace') {
        const table = ix.tableOf(t.process);
        const oldFile = initialFile(s, ix, table, op.fd);
        if (oldFile !== undefined) out.push({ thread: ti, op: k, table, fd: op.fd, oldFile, newFile: ix.file(op.file) });
      } else if (op.kind === 'addfd' && trapper) {
        const table = ix.tableOf(trapper.process);
        const oldFile = initialFile(s, ix, table, op.fd);
        const newFile = initialFile(s, ix, ix.tableOf(t.process), op.src);
        if (oldFile !== undefined && newFile !== undefined) out.push({ thread: ti, op: k, table, fd: op.fd, oldFile, newFile });
      }
    });
  });
  return out;
}

/** E17: every epitem that watched (OLD, n) for a replaced n watches (NEW, n) afterwards — none lost, none
 *  duplicated, data preserved — whenever the replacement reported success. */
function followsFd(s: Scenario, ix: Indexes): number[] {
  const code: number[] = [...konst(1)];
  for (const r of replacements(s, ix)) {
    // Only the target's own epolls: registrations in other processes' epolls are theirs (E20), not the target's.
    const own = s.processes.filter((p) => ix.tableOf(p.name) === r.table).flatMap((p) => p.fds.map((d) => d.file));
    for (const ep of ix.epollNames.filter((n) => own.includes(n))) {
      const e = ix.epoll(ep);
      const before = s.watches.filter((w) => w.epoll === ep && ix.file(w.file) === r.oldFile && w.fd === r.fd);
      if (before.length === 0) continue;
      // ret != fd || (count(OLD, n) == 0 && count(NEW, n) == k && data(NEW, n) == d)
      code.push(PredOp.Ret, r.thread, r.op, ...konst(r.fd), PredOp.Ne);
      code.push(PredOp.Count, e, r.oldFile, r.fd, ...konst(0), PredOp.Eq);
      code.push(PredOp.Count, e, r.newFile, r.fd, ...konst(before.length), PredOp.Eq, PredOp.And);
      code.push(PredOp.Data, e, r.newFile, r.fd, ...konst(before[0]!.data), PredOp.Eq, PredOp.And);
      code.push(PredOp.Or, PredOp.And);
    }
  }
  return code;
}

/** E20 (the part visible at the end): tables and epolls of processes that run no thread and are not the target
 *  end as they started. */
function passiveUnchanged(s: Scenario, ix: Indexes, nSlots: number): number[] {
  const code: number[] = [...konst(1)];
  const active = new Set(s.threads.map((t) => ix.tableOf(t.process)));
  const passive = s.processes.filter((p) => !p.shares && !active.has(ix.tableOf(p.name)));
  const activeHeld = new Set<string>();
  for (const p of s.processes) if (active.has(ix.tableOf(p.name))) for (const d of p.fds) activeHeld.add(d.file);
  for (const p of passive) {
    const tb = ix.tableOf(p.name);
    for (let fd = 0; fd < nSlots; fd++) {
      const f = p.fds.find((d) => d.fd === fd);
      code.push(PredOp.FdAll, tb, fd, fd, f ? ix.file(f.file) : 0xff, PredOp.And);
    }
    for (const d of p.fds) {
      if (!ix.epollNames.includes(d.file) || activeHeld.has(d.file)) continue;
      const e = ix.epoll(d.file);
      const items = s.watches.filter((w) => w.epoll === d.file);
      code.push(PredOp.Items, e, ...konst(items.length), PredOp.Eq, PredOp.And);
      for (const w of items) {
        code.push(PredOp.Count, e, ix.file(w.file), w.fd, ...konst(1), PredOp.Eq, PredOp.And);
        code.push(PredOp.Data, e, ix.file(w.file), w.fd, ...konst(w.data), PredOp.Eq, PredOp.And);
      }
    }
  }
  return code;
}

export function builtinCheck(s: Scenario, ix: Indexes, name: string, nSlots: number): BuiltinExpectation[] {
  switch (name) {
    case 'stale-registration':
      return [{ kind: 'at-end', modality: 'at-end', text: 'no stale epoll registration (E19)', code: [PredOp.Stale, PredOp.Not] }];
    case 'fd-local-replace':
      // E16: a replacement writes only the fd slot it was asked for.
      return [{ kind: 'other-fd', modality: 'always', text: 'a replacement changes only the requested fd (E16)', code: [PredOp.Sem, ...konst(SEM_OTHER_FD), PredOp.Ne, PredOp.Sem, ...konst(SEM_OTHER_FD | SEM_CROSS_PROCESS), PredOp.Ne, PredOp.And] }];
    case 'registration-follows-fd':
      return [{ kind: 'moved', modality: 'at-end', text: 'each registration of a replaced fd follows it to the new file (E17)', code: followsFd(s, ix) }];
    case 'no-cross-process':
      return [
        { kind: 'rekey', modality: 'always', text: "a replacement does not re-key other processes' epitems (E20)", code: [PredOp.Sem, ...konst(SEM_CROSS_PROCESS), PredOp.Lt] },
        { kind: 'passive-changed', modality: 'at-end', text: 'processes other than the target end as they started (E20)', code: passiveUnchanged(s, ix, nSlots) },
      ];
    case 'no-stale-io-uring':
      return [{ kind: 'fixed-slot', modality: 'at-end', text: 'no io_uring fixed slot diverges from its fd (E21)', code: [PredOp.UringStale, PredOp.Not] }];
    default:
      return []; // always-on properties (refcount, no-uaf, ...) need no bytecode
  }
}
