// What one step changed, in words a kernel developer reads at a glance ("P.fd[3]: OLD -> NEW", "E: +(NEW,3)").

import type { DecodedState } from './types.ts';

function fdMap(s: DecodedState): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of s.processes) for (const d of p.fds) m.set(`${p.name}.fd[${d.fd}]`, d.file);
  return m;
}

function itemKeys(s: DecodedState): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of s.epolls) {
    for (const it of e.items) {
      const state = it.inRbr && it.onFep ? '' : it.inRbr ? ' [rbr only]' : it.onFep ? ' [f_ep only]' : ' [unlinked]';
      m.set(`${e.name}#${it.id}`, `${e.name}:(${it.file},${it.fd})${state}${it.dying ? ' dying' : ''} data=${it.data}`);
    }
  }
  return m;
}

export function diffStates(a: DecodedState, b: DecodedState): string[] {
  const out: string[] = [];
  const fa = fdMap(a);
  const fb = fdMap(b);
  for (const k of new Set([...fa.keys(), ...fb.keys()])) {
    if (fa.get(k) !== fb.get(k)) out.push(`${k}: ${fa.get(k) ?? '-'} -> ${fb.get(k) ?? '-'}`);
  }
  b.files.forEach((f, i) => {
    const o = a.files[i]!;
    if (o.ref !== f.ref) out.push(`${f.name}.ref ${o.ref} -> ${f.ref}`);
    if (o.life !== f.life) out.push(`${f.name}: ${o.life} -> ${f.life}`);
    const stillLinked = b.epolls.some((e) => e.items.some((it) => it.file === f.name && it.onFep));
    if (o.watchers.length > 0 && f.watchers.length === 0 && stillLinked) out.push(`${f.name}.f_ep = NULL (published; its epitem not yet unlinked)`);
  });
  const ia = itemKeys(a);
  const ib = itemKeys(b);
  for (const [k, v] of ib) if (ia.get(k) !== v) out.push(ia.has(k) ? `${ia.get(k)} => ${v}` : `+ ${v}`);
  for (const [k, v] of ia) if (!ib.has(k)) out.push(`- ${v} (freed)`);
  b.epolls.forEach((e, i) => {
    const o = a.epolls[i]!;
    if (o.life !== e.life) out.push(`${e.name}: ${o.life} -> ${e.life}`);
    if (o.refcount !== e.refcount) out.push(`${e.name}.refcount ${o.refcount} -> ${e.refcount}`);
  });
  b.locks.forEach((l, i) => {
    const o = a.locks[i]!;
    if (o.owner !== l.owner) out.push(l.owner ? `${l.name} taken by ${l.owner}` : `${l.name} released by ${o.owner}`);
  });
  b.threads.forEach((t, i) => {
    const o = a.threads[i]!;
    t.returns.forEach((r, k) => {
      if (r !== null && o.returns[k] === null) out.push(`${t.name}: op ${k + 1} returned ${r}`);
    });
    const held = t.held.join(',');
    if (held !== o.held.join(',')) out.push(`${t.name} holds [${t.held.join(', ')}]`);
    const pend = t.pendingFput.join(',');
    if (pend !== o.pendingFput.join(',') && t.pendingFput.length > o.pendingFput.length) {
      out.push(`${t.name}: __fput(${t.pendingFput.filter((f) => !o.pendingFput.includes(f)).join(', ')}) queued on task_work`);
    }
  });
  if (a.global.watches !== b.global.watches) out.push(`epoll_watches ${a.global.watches} -> ${b.global.watches}`);
  return out;
}
