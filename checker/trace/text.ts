// The readable trace: one line per step — step number, thread, kernel function and source file, and what the
// step changed — in the spirit of SPIN's and TLC's error trails, named the way fs/eventpoll.c names things.

import { isKernelKind, kindWords } from './kinds.ts';
import type { Trace } from './types.ts';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function formatTrace(tr: Trace, opts: { changesOnly?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(`trace ${tr.scenario} on ${tr.variant}, ${tr.steps.length} steps, path ${tr.path || '(empty)'}`);
  // A loop, not Math.max(...): a million-step trace would overflow the stack as spread arguments.
  const tw = tr.threads.reduce((m, t) => Math.max(m, t.name.length), 6);
  const fw = tr.steps.reduce((m, s) => Math.max(m, s.function.length), 8);
  const lastOp = new Map<string, string>();
  for (const s of tr.steps) {
    if (tr.lasso && s.step === tr.lasso.cycleStart + 1) {
      lines.push(
        `      --- cycle: steps ${s.step}..${tr.lasso.cycleStart + tr.lasso.cycleSteps} return to the state after step ${tr.lasso.cycleStart} and repeat forever ---`,
      );
      lastOp.clear();
    }
    if (lastOp.get(s.thread) !== s.op) {
      lines.push(`      ${pad(s.thread, tw)}  ${s.op}`);
      lastOp.set(s.thread, s.op);
    }
    const what = s.changes.length > 0 ? s.changes.join('; ') : opts.changesOnly ? '' : `(${s.text})`;
    if (opts.changesOnly && s.changes.length === 0) continue;
    const fault = s.fault ? ' [fault injected]' : '';
    lines.push(`${pad(String(s.step), 5)} ${pad(s.thread, tw)}  ${pad(s.function, fw)}  ${pad(s.source, 16)}  ${what}${fault}`);
  }
  if (tr.violation) {
    const v = tr.violation;
    // A kernel invariant's kind in words ("ep->refcount dropped to zero while still needed"), never its code name.
    const kind = isKernelKind(v.kind) ? kindWords(v.kind).title : v.kind;
    lines.push(`=> ${v.property === 'deadlock' ? 'DEADLOCK' : 'VIOLATION'} ${v.property} (${kind}) after step ${v.step}: ${v.message}`);
    if (v.memory) for (const l of v.memory.text) lines.push(`   ${l}`);
    const last = tr.steps[tr.steps.length - 1]?.state ?? tr.initial;
    for (const th of last.threads) {
      if (th.status === 'blocked') {
        const owner = last.locks.find((l) => l.name === th.waitingFor)?.owner;
        lines.push(`   ${th.name} waits for ${th.waitingFor}${owner ? `, held by ${owner}` : ''} (in ${th.op ?? '?'})`);
      }
    }
  }
  return lines.join('\n');
}
