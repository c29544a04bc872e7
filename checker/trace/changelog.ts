// The interleaving as a kernel commit message draws it: one column per CPU (a task of the trace), time flowing
// down, each step as the kernel call it models, only the steps that touch the objects of the violation — ready
// to paste above a Fixes: line.
//
//   CPU0 (T0)                        CPU1 (T1)
//   ---------                        ---------
//   close(4)
//     file_close_fd_locked()
//                                    epoll_ctl(E, ADD, 4, IN, data=0)
//                                      ep_insert()

import { kindWords } from './kinds.ts';
import { findItem } from './lifetime.ts';
import { cIdent } from './sources.ts';
import type { DecodedState, Trace, TraceStep } from './types.ts';

/** Names the violation is about: its subject, the objects its message names, and a deadlock's locks. */
export function involvedNames(t: Pick<Trace, 'initial' | 'steps' | 'violation'>): Set<string> {
  const v = t.violation;
  const out = new Set<string>();
  if (!v) return out;
  const s: DecodedState = v.step > 0 ? t.steps[v.step - 1]!.state : t.initial;
  const known = new Set<string>([
    ...s.files.map((f) => f.name),
    ...s.epolls.map((e) => e.name),
    ...s.processes.map((p) => p.name),
    ...s.locks.map((l) => l.name),
  ]);
  const add = (n: string) => {
    if (known.has(n)) out.add(n);
    else if (known.has(n.split('.')[0]!)) out.add(n.split('.')[0]!);
  };
  for (const tok of v.message.match(/[A-Za-z_][A-Za-z0-9_.]*/g) ?? []) add(tok.replace(/\.+$/, ''));
  const subj = v.subject;
  if (subj && subj.kind === 'epitem') {
    const id = Number(subj.name.replace('#', ''));
    const states = [t.initial, ...t.steps.map((x) => x.state)];
    const at = states
      .map((x) => findItem(x, id))
      .reverse()
      .find((x) => x !== null);
    if (at) {
      out.add(at.ep);
      out.add(at.file);
    }
  } else if (subj && subj.kind !== 'thread') add(subj.name);
  if (v.scenario) for (const r of v.scenario.rows) add(r.text.replace(/^lock\(|\);$/g, ''));
  return out;
}

/** Whether a step touches one of `names`: a change that names it, or the lock it takes/releases. */
export function touches(step: TraceStep, names: Set<string>): boolean {
  if (names.size === 0) return step.changes.length > 0;
  for (const c of step.changes) {
    // "A.mtx taken by T1", "P.fd[4]: OLD -> NEW", "E's epitem #0 freed": a lock by its full name, an object by its own.
    for (const tok of c.match(/[A-Za-z_][A-Za-z0-9_.]*/g) ?? []) {
      const t = tok.replace(/\.+$/, '');
      if (names.has(t) || names.has(t.split('.')[0]!)) return true;
    }
  }
  return false;
}

/** The kernel call a label's text models: its first statement ("spin_lock(&files->file_lock)"). */
export function kernelCall(step: Pick<TraceStep, 'text' | 'changes'>): string {
  const parts = step.text.split(/;\s|: | — | then /).map((x) => x.trim());
  const calls = parts.filter((x) => /[A-Za-z_][A-Za-z0-9_]*\(/.test(x));
  // A step that takes or drops a lock is drawn as that lock call, even when its label starts with a check.
  const took = step.changes.some((c) => / taken by /.test(c));
  const dropped = step.changes.some((c) => / released by /.test(c));
  const lockCall = took
    ? calls.find((x) => /(^|[^n_])(spin_|mutex_)?lock(_nested)?\(/.test(x) && !/unlock/.test(x))
    : dropped
      ? calls.find((x) => /unlock\(/.test(x))
      : undefined;
  return lockCall ?? calls[0] ?? `/* ${parts[0] ?? step.text} */`;
}

export interface ChangelogOptions {
  /** Keep every step, not just those touching the violation's objects. */
  all?: boolean;
}

/** Column rows: [cpu index, text] in time order. */
/** What the step did to the violation's objects, as a short trailing comment ("A.mtx taken by T1"). */
function effect(step: TraceStep, names: Set<string>): string {
  const hits = names.size === 0 ? step.changes : step.changes.filter((c) => touches({ ...step, changes: [c] }, names));
  const text = hits.join('; ');
  return text.length > 48 ? `${text.slice(0, 47)}…` : text;
}

function rows(t: Trace, steps: TraceStep[], names: Set<string>): { cpus: string[]; lines: [number, string][] } {
  const cpus: string[] = [];
  const lines: [number, string][] = [];
  const lastOp = new Map<string, string>();
  const lastFn = new Map<string, string>();
  for (const s of steps) {
    let c = cpus.indexOf(s.thread);
    if (c < 0) c = cpus.push(s.thread) - 1;
    if (lastOp.get(s.thread) !== s.op) {
      lines.push([c, s.op]);
      lastOp.set(s.thread, s.op);
      lastFn.delete(s.thread);
    }
    const fn = cIdent(s.function) ?? s.function;
    if (lastFn.get(s.thread) !== fn) {
      lines.push([c, `  ${fn}()`]);
      lastFn.set(s.thread, fn);
    }
    const notes = [
      s.fault ? 'fails (injected)' : '',
      effect(s, names),
      s.step === t.violation?.step && t.violation.property !== 'deadlock' ? '<- here' : '',
    ].filter(Boolean);
    lines.push([c, `    ${kernelCall(s)}${notes.length ? `  // ${notes.join('  ')}` : ''}`]);
  }
  const v = t.violation;
  if (v?.scenario) {
    // The deadlock's last word: each task blocked in the lock the other holds.
    for (const r of v.scenario.rows.slice(2)) {
      const who = v.scenario.tasks?.[r.cpu];
      const c = who ? cpus.indexOf(who) : -1;
      if (c >= 0) lines.push([c, `    ${r.text.replace(/;$/, '')}  // blocks`]);
    }
  }
  return { cpus, lines };
}

function head0(cpus: string[]): number[] {
  return cpus.map((c, i) => `CPU${i} (${c})`.length + 4);
}

export function formatChangelog(t: Trace, opts: ChangelogOptions = {}): string {
  const v = t.violation;
  const upTo = v ? v.step : t.steps.length;
  const names = opts.all ? new Set<string>() : involvedNames(t);
  const chosen = t.steps.slice(0, upTo).filter((s) => (opts.all ? true : touches(s, names)));
  const { cpus, lines } = rows(t, chosen, names);
  let width = head0(cpus).reduce((m, x) => Math.max(m, x), 24);
  for (const [c, x] of lines) if (c < cpus.length - 1) width = Math.max(width, x.length + 4);
  const pad = (s: string) => s + ' '.repeat(Math.max(0, width - s.length));
  const out: string[] = [];
  const head = cpus.map((c, i) => `CPU${i} (${c})`);
  out.push(
    head
      .map((h, i) => (i === head.length - 1 ? h : pad(h)))
      .join('')
      .trimEnd(),
  );
  out.push(
    head
      .map((h, i) => (i === head.length - 1 ? '-'.repeat(h.length) : pad('-'.repeat(h.length))))
      .join('')
      .trimEnd(),
  );
  for (const [c, text] of lines) out.push((' '.repeat(width * c) + text).trimEnd());
  if (v) {
    const w = kindWords(v.kind);
    const deadlock = v.property === 'deadlock';
    out.push('');
    out.push(deadlock ? '*** DEADLOCK ***' : `=> ${w.title} (${v.property}, after step ${v.step}): ${v.message}`);
  }
  const hidden = upTo - chosen.length;
  const intro = `${t.scenario} on ${t.variant}: ${chosen.length} of ${upTo} steps${hidden > 0 ? `, only those touching ${[...names].join(', ') || 'the violation'}` : ''} (fdrace replay ${t.file} --variant ${t.variant} --path ${t.path || "''"})`;
  return [intro, '', ...out].join('\n');
}
