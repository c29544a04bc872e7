// Built-in semantic properties (docs/model.md §E16, §E17, §E19, §E20, §E21), compiled to the kernel's expectation bytecode.
// They are the properties the 2023 review argued about: what a replacement may change and what must follow it.

import { PredOp } from '../../model/codes.ts';
import type { Op, Scenario } from '../scenario/types.ts';
import { followsCode, staleAtReturnCode, type Replacement } from './follows.ts';
import type { Indexes } from './indexes.ts';

export interface BuiltinExpectation {
  /** Checked in the state where this op returns (`when T.op[K] returns`), thread and op indices. */
  returns?: { thread: number; op: number };
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
        if (oldFile !== undefined) out.push({ thread: ti, op: k, table, fd: op.fd, oldFile, newFile: ix.file(op.file), done: { thread: ti, op: k } });
      } else if (op.kind === 'addfd' && trapper) {
        const table = ix.tableOf(trapper.process);
        const oldFile = initialFile(s, ix, table, op.fd);
        const newFile = initialFile(s, ix, ix.tableOf(t.process), op.src);
        // The target sees the replacement done when its trapped syscall returns (the supervisor's reply), which
        // is also when a userspace design has finished its own fix-ups of the registrations.
        const tt = s.threads.indexOf(trapper);
        const done = { thread: tt, op: trapper.ops.findIndex((o) => o.kind === 'seccomp_trap') };
        if (oldFile !== undefined && newFile !== undefined) out.push({ thread: ti, op: k, table, fd: op.fd, oldFile, newFile, done });
      }
    });
  });
  return out;
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
      return [
        { kind: 'at-end', modality: 'at-end', text: 'no stale epoll registration (E19)', code: [PredOp.Stale, PredOp.Not] },
        ...replacements(s, ix).map(
          (r): BuiltinExpectation => ({
            kind: 'at-return',
            modality: 'always',
            returns: r.done,
            text: `no stale epoll registration when the replacement of fd ${r.fd} returns to ${ix.threadNames[r.done.thread]} (E19)`,
            code: staleAtReturnCode(s, ix, r),
          }),
        ),
      ];
    case 'fd-local-replace':
      // E16: a replacement writes only the fd slot it was asked for.
      return [
        {
          kind: 'other-fd',
          modality: 'always',
          text: 'a replacement changes only the requested fd (E16)',
          code: [PredOp.Sem, ...konst(SEM_OTHER_FD), PredOp.Ne, PredOp.Sem, ...konst(SEM_OTHER_FD | SEM_CROSS_PROCESS), PredOp.Ne, PredOp.And],
        },
      ];
    case 'registration-follows-fd': {
      const rs = replacements(s, ix);
      const all: number[] = [...konst(1)];
      for (const r of rs) all.push(...followsCode(s, ix, r), PredOp.And);
      return [
        {
          kind: 'at-end',
          modality: 'at-end',
          text: 'each registration of a replaced fd follows it to the new file, with its events and data (E17)',
          code: all,
        },
        ...rs.map(
          (r): BuiltinExpectation => ({
            kind: 'at-return',
            modality: 'always',
            returns: r.done,
            text: `each registration of fd ${r.fd} follows it to the new file when the replacement returns to ${ix.threadNames[r.done.thread]} (E17)`,
            code: followsCode(s, ix, r),
          }),
        ),
      ];
    }
    case 'no-cross-process':
      return [
        {
          kind: 'rekey',
          modality: 'always',
          text: "a replacement does not re-key other processes' epitems (E20)",
          code: [PredOp.Sem, ...konst(SEM_CROSS_PROCESS), PredOp.Lt],
        },
        {
          kind: 'passive-changed',
          modality: 'at-end',
          text: 'processes other than the target end as they started (E20)',
          code: passiveUnchanged(s, ix, nSlots),
        },
      ];
    case 'no-stale-io-uring':
      return [{ kind: 'fixed-slot', modality: 'at-end', text: 'no io_uring fixed slot diverges from its fd (E21)', code: [PredOp.UringStale, PredOp.Not] }];
    default:
      return []; // always-on properties (refcount, no-uaf, ...) need no bytecode
  }
}
