// The failure in words, at its step: which property, what it demands, which objects are involved and what they look
// like there (with the step each last changed), plus the picture that fits the kind — the wait-for cycle for a
// deadlock, lockdep's CPU0/CPU1 "Possible unsafe locking scenario" for a lock-order inversion.

import { isKernelKind, kindWords } from '../../checker/trace/kinds.ts';
import type { DecodedState } from '../../checker/trace/types.ts';
import { lastChange } from './cells.ts';
import { button, h } from './dom.ts';
import { subjectBlock } from './explain-subject.ts';
import { refLink, sourcesFor } from './source-ref.ts';
import { stateAt } from './state-panel.ts';
import { lockdepTable, splatView } from './lockdep.ts';
import { memoryReportView } from './memory-report.ts';
import type { ViewTrace, ViewViolation } from './validate.ts';
import { describeEdge, drawCycle, drawEdges, findCycle, waitEdges } from './waitfor.ts';

export type Jump = (step: number) => void;

/** What each built-in property demands (checker/scenario/constants.ts BUILTIN_PROPERTIES). */
const PROPERTY_WORDS: Record<string, string> = {
  refcount: "A file's f_ref must equal the references that exist: one per fd slot plus one per reference a task holds.",
  'no-uaf': 'Nothing may use a struct file, an epitem or an eventpoll after it has been freed.',
  watchers:
    "With ep->mtx free, an epitem is in ep->rbr exactly when it is on its file's f_ep list, and no eventpoll has two items with the same (file, fd) key.",
  locks: 'A task never takes a lock it already holds, never sleeps under a spinlock and never returns to user space holding a lock.',
  deadlock: 'Some thread must always be able to move until every thread has finished.',
  'stale-registration':
    "At the end, every epoll item (file, fd) must match fd `fd` of a process holding the epoll; otherwise EPOLL_CTL_DEL on that fd cannot reach it and the wrong file's readiness is reported.",
  'model-capacity': "The model's fixed capacity was exceeded: a limit of the model, not a kernel bug.",
  'free-while-locked': 'No object may be freed while a lock embedded in it is held (lockdep: held lock freed!).',
  'lock-order': 'Every two locks are always taken in the same order; a cycle in the "taken while holding" graph is a possible deadlock (lockdep).',
};

function kindSentence(v: ViewViolation, last: number): string {
  switch (v.kind) {
    case 'at-end':
      return `When every thread had finished (after step ${v.step}), the expectation “${v.property}” does not hold.`;
    case 'always':
      return `At step ${v.step} the expectation “${v.property}”, which must hold in every state, stopped holding.`;
    case 'never':
      return `At step ${v.step} the state satisfies “${v.property}”, which must never happen.`;
    case 'sometimes':
      return `No reachable state satisfies “${v.property}”.`;
    case 'deadlock':
      return `After step ${v.step} no thread can move, and not every thread has finished: a deadlock.`;
    case 'lock-order':
    case 'inversion':
      return `Locks were taken in opposite orders (“${v.property}”): two tasks running these paths at once can deadlock, even where this path does not.`;
    default:
      return `At step ${v.step} of ${last} the kernel invariant “${v.property}” broke: ${kindWords(v.kind).title}.`;
  }
}

interface Known {
  kind: 'file' | 'epoll' | 'process' | 'thread' | 'lock';
  prefix: string;
}

function knownNames(s: DecodedState): Map<string, Known> {
  const m = new Map<string, Known>();
  for (const l of s.locks) m.set(l.name, { kind: 'lock', prefix: `lock/${l.name}` });
  for (const t of s.threads) m.set(t.name, { kind: 'thread', prefix: `thread/${t.name}` });
  for (const p of s.processes) m.set(p.name, { kind: 'process', prefix: `proc/${p.name}` });
  for (const f of s.files) m.set(f.name, { kind: 'file', prefix: `file/${f.name}` });
  for (const e of s.epolls) m.set(e.name, { kind: 'epoll', prefix: `ep/${e.name}` });
  return m;
}

/** Names of objects the message mentions ("P.fd[4..12] == OLD" -> P, OLD; "E.mtx" -> the lock, not E). */
function mentioned(message: string, known: Map<string, Known>): string[] {
  const out: string[] = [];
  for (const tok of message.match(/[A-Za-z_][A-Za-z0-9_.]*/g) ?? []) {
    const t = tok.replace(/\.+$/, '');
    const hit = known.has(t) ? t : known.has(t.split('.')[0]!) ? t.split('.')[0]! : null;
    if (hit && !out.includes(hit)) out.push(hit);
  }
  return out.slice(0, 16);
}

function summary(s: DecodedState, name: string, k: Known): string {
  switch (k.kind) {
    case 'file': {
      const f = s.files.find((x) => x.name === name)!;
      return `struct file ${name} (${f.kind}): f_ref ${f.ref}, ${f.life}, watched by ${f.watchers.length ? f.watchers.join(', ') : 'no epoll'}`;
    }
    case 'epoll': {
      const e = s.epolls.find((x) => x.name === name)!;
      const items = e.items.map((i) => `(${i.file}, ${i.fd})`).join(', ') || 'none';
      return `eventpoll ${name}: items ${items}; ep->mtx ${e.mtx ? `held by ${e.mtx}` : 'free'}; ${e.life}`;
    }
    case 'process': {
      const p = s.processes.find((x) => x.name === name)!;
      return `fd table of ${name}: ${p.fds.map((d) => `${d.fd} → ${d.file}`).join(', ') || 'empty'}`;
    }
    case 'thread': {
      const t = s.threads.find((x) => x.name === name)!;
      const wait = t.waitingFor ? `, waiting for ${t.waitingFor}` : '';
      return `thread ${name} (${t.process}): ${t.status}${wait}${t.op ? `, in ${t.op}` : ''}; holds refs on ${t.held.join(', ') || 'nothing'}`;
    }
    case 'lock': {
      const l = s.locks.find((x) => x.name === name)!;
      return `${l.kind} ${name}: ${l.owner ? `held by ${l.owner}` : 'free'}${l.waiters.length ? `; waiters ${l.waiters.join(', ')}` : ''}`;
    }
  }
}

/** Every state of the trace, index = step. */
function states(trace: ViewTrace): DecodedState[] {
  return [trace.initial, ...trace.steps.map((s) => s.state)];
}

function stepButton(step: number, jump: Jump, label = `step ${step}`): HTMLButtonElement {
  return button(label, () => jump(step), { class: 'link', 'aria-label': `Go to step ${step}` });
}

/** "last changed at step N" scans the trace backwards; on a long trace that waits until the page is shown. */
const DEFER_STEPS = 5_000;

function changedAt(trace: ViewTrace, compute: () => number, render: (at: number) => Node | string | null): HTMLElement {
  const span = h('span', { class: 'changed-at' });
  const fill = (): void => {
    const r = render(compute());
    span.replaceChildren(...(r === null ? [] : [r]));
  };
  if (trace.steps.length > DEFER_STEPS) setTimeout(fill, 0);
  else fill();
  return span;
}

function objectsList(trace: ViewTrace, v: ViewViolation, jump: Jump): HTMLElement | null {
  const all = states(trace);
  const s = stateAt(trace, v.step);
  const known = knownNames(s);
  const names = mentioned(v.message, known);
  if (v.subject && known.has(v.subject.name) && !names.includes(v.subject.name)) names.unshift(v.subject.name);
  const items: HTMLElement[] = names.map((n) => {
    const k = known.get(n)!;
    const at = changedAt(
      trace,
      () => lastChange(all, v.step, k.prefix),
      (n2) => (n2 === 0 ? 'unchanged since the initial state' : h('span', null, 'last changed at ', stepButton(n2, jump))),
    );
    return h('li', { 'data-object': k.prefix }, summary(s, n, k), ' — ', at);
  });
  // "P.fd[4..12]": the slots themselves, before and after, and when they changed.
  for (const m of v.message.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\.fd\[(\d{1,4})(?:\.\.(\d{1,4}))?\]/g)) {
    const proc = m[1]!;
    const lo = Number(m[2]);
    const hi = Math.min(m[3] === undefined ? lo : Number(m[3]), lo + 63);
    for (let fd = lo; fd <= hi; fd++) {
      const val = (st: DecodedState): string => st.processes.find((p) => p.name === proc)?.fds.find((d) => d.fd === fd)?.file ?? 'closed';
      const before = val(trace.initial);
      const now = val(s);
      const at = changedAt(
        trace,
        () => lastChange(all, v.step, `proc/${proc}/fd/${fd}`),
        (n2) => (n2 > 0 ? h('span', null, ' at ', stepButton(n2, jump)) : null),
      );
      items.push(h('li', { 'data-slot': `${proc}.fd[${fd}]` }, `${proc}.fd[${fd}]: ${before === now ? `still ${now}` : `${before} → ${now}`}`, at));
    }
  }
  for (const line of staleItems(s)) items.push(h('li', { class: 'stale' }, line));
  return items.length ? h('div', null, h('h3', null, 'Objects involved'), h('ul', { class: 'objects' }, ...items)) : null;
}

/** Epoll items whose (file, fd) no longer matches the fd table of any process holding the epoll. */
export function staleItems(s: DecodedState): string[] {
  const out: string[] = [];
  for (const e of s.epolls) {
    const holders = s.processes.filter((p) => p.fds.some((d) => d.file === e.name));
    if (holders.length === 0) continue;
    for (const it of e.items) {
      if (holders.some((p) => p.fds.some((d) => d.fd === it.fd && d.file === it.file))) continue;
      const now = holders.map((p) => `${p.name}.fd[${it.fd}] is ${p.fds.find((d) => d.fd === it.fd)?.file ?? 'closed'}`).join(', ');
      out.push(
        `${e.name}'s item (${it.file}, ${it.fd}) is stale: ${now}, so EPOLL_CTL_DEL of fd ${it.fd} cannot reach it and ${it.file}'s events arrive with data=${it.data}.`,
      );
    }
  }
  return out;
}

function deadlockPanel(s: DecodedState): HTMLElement {
  const edges = waitEdges(s);
  const cycle = findCycle(edges);
  if (cycle) {
    const words = `${cycle.map(describeEdge).join('; ')}.`;
    return h('div', { class: 'deadlock' }, h('h3', null, 'Wait-for cycle'), h('p', { class: 'cycle-words' }, words), drawCycle(cycle));
  }
  if (edges.length === 0) return h('p', null, 'No thread is waiting for a lock: the blocked threads wait for something the trace does not name.');
  return h(
    'div',
    { class: 'deadlock' },
    h('h3', null, 'Blocked threads (no cycle)'),
    h('p', { class: 'cycle-words' }, `${edges.map(describeEdge).join('; ')}.`),
    drawEdges(edges, null),
  );
}

function isLockOrder(v: ViewViolation): boolean {
  return v.kind === 'lock-order' || v.property === 'lock-order' || v.kind === 'inversion';
}

export function renderExplanation(trace: ViewTrace, jump: Jump): HTMLElement {
  const v = trace.violation;
  if (!v) {
    return h(
      'div',
      { class: 'explain ok' },
      h('h2', null, 'No violation'),
      h('p', null, `This path ends after ${trace.steps.length} steps without violating any checked property.`),
    );
  }
  const step = v.step > 0 ? trace.steps[v.step - 1] : undefined;
  const s = stateAt(trace, v.step);
  const isDeadlock = v.kind === 'deadlock' || v.property === 'deadlock';
  const at = step
    ? h(
        'p',
        { class: 'at' },
        `Step ${step.step}: thread ${step.thread} in `,
        h('code', null, step.function),
        ' (',
        refLink(step, sourcesFor(trace.variant)),
        `) — ${step.text}`,
      )
    : h('p', { class: 'at' }, 'In the initial state, before any step.');
  return h(
    'div',
    { class: `explain${isDeadlock ? ' is-deadlock' : ''}` },
    h('h2', null, isDeadlock ? 'Deadlock' : `Violation: ${v.property}`, ' ', stepButton(v.step, jump, `go to step ${v.step} (v)`)),
    isKernelKind(v.kind) ? h('p', { class: 'kind-title' }, kindWords(v.kind).title) : null,
    h('p', { class: 'words' }, kindSentence(v, trace.steps.length)),
    h('p', { class: 'message' }, h('span', { class: 'muted' }, 'checker: '), v.message),
    isKernelKind(v.kind)
      ? h('p', { class: 'property' }, kindWords(v.kind).rule)
      : PROPERTY_WORDS[v.property]
        ? h('p', { class: 'property' }, PROPERTY_WORDS[v.property]!)
        : null,
    at,
    subjectBlock(trace, v, jump),
    isDeadlock ? deadlockPanel(s) : null,
    isDeadlock && v.scenario ? lockdepTable(v.scenario) : null,
    v.memory ? memoryReportView(v.memory, jump) : null,
    isLockOrder(v)
      ? v.scenario
        ? lockdepTable(v.scenario)
        : v.splat
          ? splatView(v.splat)
          : h('p', { class: 'muted' }, 'This trace carries no locking scenario to draw.')
      : null,
    objectsList(trace, v, jump),
  );
}
