// Each kind of finding in a kernel developer's words: a title (never the checker's internal kind name), the rule
// it breaks, and a sentence naming the objects involved as they are at the violation step. Shared by the viewer's
// explanation and `fdrace replay --format changelog`.

import { findItem } from './lifetime.ts';
import type { DecodedState, TraceViolation } from './types.ts';

export interface KindWords {
  /** Short title, e.g. "ep->refcount dropped to zero". */
  title: string;
  /** The rule, as the kernel states it. */
  rule: string;
}

const KINDS: Record<string, KindWords> = {
  UafFile: { title: 'use-after-free of a struct file', rule: 'A struct file must not be touched after __fput() freed it (file_free).' },
  UafItem: {
    title: 'use-after-free of an epitem',
    rule: 'An epitem must not be used after ep_remove() freed it (call_rcu/kfree_rcu); a pointer saved before the free must be re-validated.',
  },
  UafEp: { title: 'use-after-free of a struct eventpoll', rule: 'A struct eventpoll must not be used after ep_free() freed it.' },
  RefUnderflow: {
    title: 'fput() on a file whose f_ref is already zero',
    rule: "Every fput() must match a reference taken: a file's f_ref never goes below zero.",
  },
  RefMismatch: {
    title: "f_ref differs from the file's holders",
    rule: "A file's f_ref must equal the references that exist: one per fd slot plus one per reference a task holds.",
  },
  CloseZeroCount: { title: 'filp_close() on a file with f_ref zero', rule: 'filp_close() must see a live reference ("VFS: Close: file count is 0").' },
  Watchers: { title: 'ep->rbr and file->f_ep disagree', rule: "With ep->mtx free, an epitem is in ep->rbr exactly when it is on its file's f_ep list." },
  DuplicateKey: {
    title: 'two epitems with the same (file, fd) key',
    rule: 'An eventpoll holds at most one epitem per (file, fd) key (ep_find() relies on it).',
  },
  RecursiveLock: { title: 'recursive locking (AA deadlock)', rule: 'A task never takes a lock it already holds.' },
  LockHeldAtReturn: { title: 'lock held when returning to user space', rule: 'A task never returns to user space holding a lock.' },
  RefLeak: {
    title: 'file reference leaked to user space',
    rule: 'A task returns to user space holding no file reference it took in the syscall (fget() without fput()).',
  },
  SleepInAtomic: {
    title: 'sleeping function called under a spinlock',
    rule: 'No mutex_lock() or GFP_KERNEL allocation while a spinlock is held ("BUG: sleeping function called from invalid context").',
  },
  Capacity: {
    title: "the model's epitem capacity was exceeded",
    rule: 'The model has a fixed number of epitem records: this is a limit of the model, not a kernel bug.',
  },
  DanglingFile: {
    title: 'a freed struct file is still reachable',
    rule: 'Once a struct file is freed nothing may point to it: no fd slot, no epitem, no task.',
  },
  PollDeadFile: {
    title: 'f_op->poll on a file whose f_ref reached zero',
    rule: 'ep_item_poll() may only poll a file it holds a reference on (CVE-2024-38580, fixed by epi_fget()).',
  },
  EpRefcount: {
    title: 'ep->refcount dropped to zero while still needed',
    rule: "An eventpoll's refcount counts its epoll file and every epitem; it may reach zero only in the last put, which frees it.",
  },
  EpollCycle: {
    title: 'epolls watch each other in a cycle',
    rule: 'The "epoll A watches epoll B" graph stays acyclic (ep_loop_check() refuses the ADD that closes a cycle).',
  },
  CheckListLeak: {
    title: 'tfile_check_list left behind',
    rule: 'tfile_check_list is only non-empty (or changed) while the global epoll mutex is held, and is cleared before it is released.',
  },
  OrphanInsert: {
    title: 'epitem inserted into a released eventpoll',
    rule: 'No epitem may be inserted into an eventpoll whose epoll file was already released: nothing would ever remove it.',
  },
  UafFdt: { title: 'use-after-free of an fdtable', rule: 'A walk that caches files->fdt must not use it after expand_fdtable() replaced it and RCU freed it.' },
  Livelock: { title: 'livelock in a retry loop', rule: 'A retry loop must make progress: three rounds in the same state is a livelock.' },
  EpollDepth: {
    title: 'epolls nested deeper than EP_MAX_NESTS',
    rule: 'A chain of epolls watching epolls has at most EP_MAX_NESTS (4) edges: ep_loop_check() refuses the ADD that would make it longer (upward depth since f2e467a48287).',
  },
  PathLimit: {
    title: 'too many wakeup paths',
    rule: 'A file has at most path_limits[d] wakeup paths of depth d through nested epolls (1000 500 100 50 10) and none longer: reverse_path_check() refuses the ADD that would exceed them (28d82dc1c4ed, CVE-2011-1083).',
  },
  FreeWhileLocked: {
    title: 'held lock freed',
    rule: 'An object may not be freed while a lock embedded in it is held (lockdep: "WARNING: held lock freed!"); see docs/memory.md.',
  },
  RcuIdentity: {
    title: 'reference taken on a recycled object',
    rule: 'A lockless lookup of a SLAB_TYPESAFE_BY_RCU object must re-check its identity after taking the reference (the memory may hold another object by then); see docs/memory.md.',
  },
};

const MODALITY: Record<string, KindWords> = {
  'at-end': { title: 'expectation fails at the end', rule: 'When every thread has finished, the expectation must hold.' },
  always: { title: 'expectation stopped holding', rule: 'The expectation must hold in every state.' },
  never: { title: 'forbidden state reached', rule: 'No reachable state may satisfy this.' },
  sometimes: { title: 'no state satisfies the expectation', rule: 'Some reachable state must satisfy this.' },
  deadlock: { title: 'deadlock', rule: 'Some thread must always be able to move until every thread has finished.' },
  'lock-order': {
    title: 'lock-order inversion',
    rule: 'Every two locks are always taken in the same order; a cycle in the "taken while holding" graph is a possible deadlock (lockdep).',
  },
  inversion: {
    title: 'lock-order inversion',
    rule: 'Every two locks are always taken in the same order; a cycle in the "taken while holding" graph is a possible deadlock (lockdep).',
  },
};

/** Words for a violation kind; an unknown kind (a newer checker) gets a generic title, never its raw name. */
export function kindWords(kind: string): KindWords {
  return KINDS[kind] ?? MODALITY[kind] ?? { title: 'kernel invariant broken', rule: 'A kernel invariant the checker watches stopped holding.' };
}

export function isKernelKind(kind: string): boolean {
  return kind in KINDS;
}

function fileHolders(s: DecodedState, f: string): { slots: string[]; tasks: string[]; items: string[] } {
  const slots = s.processes.flatMap((p) => p.fds.filter((d) => d.file === f).map((d) => `${p.name}.fd[${d.fd}]`));
  const tasks = s.threads.flatMap((t) => t.held.filter((h) => h === f).map(() => t.name));
  const items = s.epolls.flatMap((e) => e.items.filter((i) => i.file === f).map((i) => `${e.name}'s epitem #${i.id} (fd ${i.fd})`));
  return { slots, tasks, items };
}

function list(xs: string[], none = 'none'): string {
  return xs.length ? xs.join(', ') : none;
}

/** Epolls on a watch cycle: E -> the epolls whose files E's items watch. */
function epollCycle(s: DecodedState, start: string): string[] | null {
  const epolls = new Set(s.epolls.map((e) => e.name));
  const next = (e: string) => (s.epolls.find((x) => x.name === e)?.items ?? []).map((i) => i.file).filter((f) => epolls.has(f));
  const walk = (at: string, path: string[]): string[] | null => {
    for (const n of next(at)) {
      if (n === start) return [...path, n];
      if (!path.includes(n) && path.length < 16) {
        const r = walk(n, [...path, n]);
        if (r) return r;
      }
    }
    return null;
  };
  return walk(start, [start]);
}

/** One sentence naming the objects of the violation as they are in state `s` (the violation step). */
export function subjectSentence(v: TraceViolation, s: DecodedState): string | null {
  const subj = v.subject;
  if (!subj) return null;
  const file = subj.kind === 'file' ? s.files.find((f) => f.name === subj.name) : undefined;
  const ep = subj.kind === 'epoll' ? s.epolls.find((e) => e.name === subj.name) : undefined;
  const th = subj.kind === 'thread' ? s.threads.find((t) => t.name === subj.name) : undefined;
  switch (v.kind) {
    case 'RefMismatch':
    case 'RefUnderflow':
    case 'CloseZeroCount':
    case 'PollDeadFile':
    case 'UafFile':
    case 'DanglingFile':
    case 'RefLeak': {
      if (!file) return null;
      const h = fileHolders(s, file.name);
      const n = h.slots.length + h.tasks.length;
      const base = `struct file ${file.name} (${file.kind}) has f_ref ${file.ref} and is ${file.life}`;
      if (v.kind === 'RefMismatch') return `${base}, but ${n} reference${n === 1 ? '' : 's'} exist: fd slots ${list(h.slots)}; held by tasks ${list(h.tasks)}.`;
      if (v.kind === 'DanglingFile')
        return `${base}, yet it is still reached from fd slots ${list(h.slots)}, epitems ${list(h.items)}, tasks ${list(h.tasks)}.`;
      if (v.kind === 'RefLeak') return `${base}; tasks still holding a reference on it: ${list(h.tasks)}.`;
      return `${base}; fd slots ${list(h.slots)}; held by tasks ${list(h.tasks)}; watched by ${list(file.watchers, 'no epoll')}.`;
    }
    case 'EpRefcount':
    case 'UafEp':
    case 'OrphanInsert':
    case 'Capacity': {
      if (!ep) return null;
      const items = ep.items.map((i) => `#${i.id} (${i.file}, fd ${i.fd})`);
      return `struct eventpoll ${ep.name}: ep->refcount ${ep.refcount}, ${ep.life}, ep->mtx ${ep.mtx ? `held by ${ep.mtx}` : 'free'}; epitems ${list(items)}.`;
    }
    case 'PathLimit': {
      if (!file) return null;
      return `struct file ${file.name} (${file.kind}) is watched by ${list(file.watchers, 'no epoll')}, and the epolls above them give it more wakeup paths of one depth than path_limits allows.`;
    }
    case 'EpollCycle': {
      const cyc = epollCycle(s, subj.name);
      return cyc ? `${cyc.join(' watches ')}: each epoll has an epitem on the next one's file.` : `eventpoll ${subj.name} is on a watch cycle.`;
    }
    case 'UafItem':
    case 'Watchers':
    case 'DuplicateKey':
    case 'Livelock': {
      const id = Number(subj.name.replace('#', ''));
      const at = findItem(s, id);
      if (!at) return `epitem ${subj.name} no longer exists at this step: it was freed before (see the memory report).`;
      const e = s.epolls.find((x) => x.name === at.ep)!;
      const it = e.items.find((i) => i.id === id)!;
      const linked =
        it.inRbr && it.onFep
          ? 'in ep->rbr and on f_ep'
          : it.inRbr
            ? `in ep->rbr but not on ${it.file}'s f_ep`
            : it.onFep
              ? `on ${it.file}'s f_ep but not in ep->rbr`
              : 'on neither ep->rbr nor f_ep';
      if (v.kind === 'DuplicateKey') {
        const twins = e.items.filter((i) => i.file === it.file && i.fd === it.fd).map((i) => `#${i.id}`);
        return `${e.name} holds epitems ${twins.join(' and ')} for the same key (${it.file}, fd ${it.fd}).`;
      }
      return `epitem ${subj.name} (${it.file}, fd ${it.fd}) of ${e.name} is ${linked}${it.dying ? ', marked dying' : ''}; ${e.name}.mtx ${e.mtx ? `held by ${e.mtx}` : 'free'}.`;
    }
    case 'LockHeldAtReturn':
    case 'SleepInAtomic': {
      if (!th) return null;
      const held = s.locks.filter((l) => l.owner === th.name).map((l) => l.name);
      return `thread ${th.name} (${th.op ?? 'between syscalls'}) holds ${list(held, 'no lock')}.`;
    }
    case 'UafFdt':
      return `the fd table of ${subj.name} was replaced by expand_fdtable(); a walk still used the old fdtable after RCU freed it.`;
    default:
      return null;
  }
}
