// The readable trace: one line per step — step number, thread, kernel function and source file, and what the
// step changed — in the spirit of SPIN's and TLC's error trails, named the way fs/eventpoll.c names things.

import type { Trace } from './types.ts';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function formatTrace(tr: Trace, opts: { changesOnly?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(`trace ${tr.scenario} on ${tr.variant}, ${tr.steps.length} steps, path ${tr.path || '(empty)'}`);
  const tw = Math.max(6, ...tr.threads.map((t) => t.name.length));
  const fw = Math.max(8, ...tr.steps.map((s) => s.function.length));
  const lastOp = new Map<string, string>();
  for (const s of tr.steps) {
    if (tr.lasso && s.step === tr.lasso.cycleStart + 1) {
      lines.push(`      --- cycle: steps ${s.step}..${tr.lasso.cycleStart + tr.lasso.cycleSteps} return to the state after step ${tr.lasso.cycleStart} and repeat forever ---`);
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
    lines.push(`=> ${v.property === 'deadlock' ? 'DEADLOCK' : 'VIOLATION'} ${v.property} (${v.kind}) after step ${v.step}: ${v.message}`);
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
