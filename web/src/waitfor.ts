// The wait-for graph of a state: a blocked thread waits for a lock, the lock is held by a thread. A cycle through
// it is a deadlock; drawn as SVG (built node by node, text as text nodes) with threads as ellipses and locks as
// boxes, in the spirit of lockdep's "Chain exists of" and GenMC's error graphs.

import type { DecodedState } from '../../checker/trace/types.ts';
import { svg } from './dom.ts';

export interface WaitEdge {
  thread: string;
  lock: string;
  owner: string | null;
}

export function waitEdges(s: DecodedState): WaitEdge[] {
  const owner = (lock: string): string | null => s.locks.find((l) => l.name === lock)?.owner ?? null;
  const out: WaitEdge[] = [];
  const seen = new Set<string>();
  const add = (thread: string, lock: string): void => {
    const k = `${thread}\u0000${lock}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ thread, lock, owner: owner(lock) });
  };
  for (const t of s.threads) if (t.waitingFor) add(t.name, t.waitingFor);
  for (const l of s.locks) for (const w of l.waiters) add(w, l.name);
  return out;
}

/** The first cycle thread -> lock -> owner -> ... found, as its edges in order; null if there is none. */
export function findCycle(edges: readonly WaitEdge[]): WaitEdge[] | null {
  const byThread = new Map<string, WaitEdge>();
  for (const e of edges) if (!byThread.has(e.thread)) byThread.set(e.thread, e);
  for (const start of byThread.keys()) {
    const order: WaitEdge[] = [];
    const at = new Map<string, number>();
    let t: string | null = start;
    while (t !== null && byThread.has(t) && !at.has(t)) {
      at.set(t, order.length);
      const e: WaitEdge = byThread.get(t)!;
      order.push(e);
      t = e.owner;
    }
    if (t !== null && at.has(t)) return order.slice(at.get(t)!);
  }
  return null;
}

export function describeEdge(e: WaitEdge): string {
  return `${e.thread} waits for ${e.lock}, ${e.owner ? `held by ${e.owner}` : 'which nobody holds'}`;
}

interface Node {
  id: string;
  label: string;
  kind: 'thread' | 'lock';
  x: number;
  y: number;
  w: number;
  h: number;
}

const CHAR = 7.2;
const NODE_H = 28;
let uid = 0;

function node(id: string, label: string, kind: Node['kind'], x: number, y: number): Node {
  return { id, label, kind, x, y, w: Math.max(56, label.length * CHAR + 24), h: NODE_H };
}

/** Where the segment from a's centre towards b leaves a's box. */
function exitPoint(a: Node, b: Node, pad = 3): [number, number] {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  if (dx === 0 && dy === 0) return [a.x, a.y];
  const t = Math.min(dx === 0 ? Infinity : (a.w / 2 + pad) / Math.abs(dx), dy === 0 ? Infinity : (a.h / 2 + pad) / Math.abs(dy));
  return [a.x + dx * t, a.y + dy * t];
}

function drawNode(n: Node, inCycle: boolean): SVGGElement {
  const cls = `wf-node wf-${n.kind}${inCycle ? ' wf-cycle' : ''}`;
  const shape =
    n.kind === 'thread'
      ? svg('ellipse', { cx: n.x, cy: n.y, rx: n.w / 2, ry: n.h / 2 })
      : svg('rect', { x: n.x - n.w / 2, y: n.y - n.h / 2, width: n.w, height: n.h, rx: 3 });
  return svg('g', { class: cls, 'data-node': n.id }, shape, svg('text', { x: n.x, y: n.y + 4, 'text-anchor': 'middle' }, n.label));
}

function drawEdge(a: Node, b: Node, label: string, kind: 'waits' | 'held', marker: string, inCycle: boolean): SVGGElement {
  const [x1, y1] = exitPoint(a, b);
  const [x2, y2] = exitPoint(b, a, 6);
  const mx = (x1 + x2) / 2;
  const my = (y1 + y2) / 2;
  return svg(
    'g',
    { class: `wf-edge wf-${kind}${inCycle ? ' wf-cycle' : ''}` },
    svg('line', { x1, y1, x2, y2, 'marker-end': `url(#${marker})` }),
    svg('text', { x: mx, y: my - 5, 'text-anchor': 'middle', class: 'wf-label' }, label),
  );
}

function frame(nodes: Node[], title: string, draw: (marker: string) => SVGElement[]): SVGSVGElement {
  const marker = `wf-arrow-${++uid}`;
  const minX = Math.min(...nodes.map((n) => n.x - n.w / 2)) - 16;
  const maxX = Math.max(...nodes.map((n) => n.x + n.w / 2)) + 16;
  const minY = Math.min(...nodes.map((n) => n.y - n.h / 2)) - 24;
  const maxY = Math.max(...nodes.map((n) => n.y + n.h / 2)) + 16;
  const defs = svg(
    'defs',
    null,
    svg(
      'marker',
      { id: marker, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'wf-arrowhead' }),
    ),
  );
  const w = maxX - minX;
  const hgt = maxY - minY;
  return svg(
    'svg',
    { class: 'waitfor', viewBox: `${minX} ${minY} ${w} ${hgt}`, width: Math.ceil(w), height: Math.ceil(hgt), role: 'img', 'aria-label': title },
    svg('title', null, title),
    defs,
    ...draw(marker),
  );
}

/** A deadlock: the cycle's threads and locks alternate around a circle. */
export function drawCycle(cycle: readonly WaitEdge[]): SVGSVGElement {
  const count = cycle.length * 2;
  const r = Math.max(90, count * 34);
  const nodes: Node[] = [];
  cycle.forEach((e, i) => {
    for (const [k, id, label, kind] of [
      [2 * i, `t:${e.thread}`, e.thread, 'thread'],
      [2 * i + 1, `l:${e.lock}`, e.lock, 'lock'],
    ] as const) {
      const a = -Math.PI / 2 + (2 * Math.PI * k) / count;
      nodes.push(node(id, label, kind, Math.round(r * Math.cos(a)), Math.round(r * Math.sin(a))));
    }
  });
  const title = `Deadlock: ${cycle.map(describeEdge).join('; ')}`;
  return frame(nodes, title, (marker) => {
    const edges: SVGElement[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const a = nodes[i]!;
      const b = nodes[(i + 1) % nodes.length]!;
      edges.push(a.kind === 'thread' ? drawEdge(a, b, 'waits for', 'waits', marker, true) : drawEdge(a, b, 'held by', 'held', marker, true));
    }
    return [...edges, ...nodes.map((n) => drawNode(n, true))];
  });
}

/** Any wait-for edges: one row per waiting thread, thread -> lock -> owner. */
export function drawEdges(edges: readonly WaitEdge[], cycle: readonly WaitEdge[] | null): SVGSVGElement {
  const inCycle = new Set((cycle ?? []).map((e) => `${e.thread}\u0000${e.lock}`));
  const rows = edges.map((e, i) => {
    const y = i * 52;
    const t = node(`t:${e.thread}`, e.thread, 'thread', 0, y);
    const l = node(`l:${e.lock}`, e.lock, 'lock', 0, y);
    const o = e.owner ? node(`t:${e.owner}`, e.owner, 'thread', 0, y) : null;
    return { e, t, l, o, cyc: inCycle.has(`${e.thread}\u0000${e.lock}`) };
  });
  // Three columns wide enough for their longest label.
  const col = (ns: (Node | null)[]): number => Math.max(56, ...ns.map((n) => n?.w ?? 0));
  const w0 = col(rows.map((r) => r.t));
  const w1 = col(rows.map((r) => r.l));
  const gap = 90;
  for (const r of rows) {
    r.t.x = w0 / 2;
    r.l.x = w0 + gap + w1 / 2;
    if (r.o) r.o.x = w0 + gap + w1 + gap + col(rows.map((x) => x.o)) / 2;
  }
  const nodes = rows.flatMap((r) => [r.t, r.l, ...(r.o ? [r.o] : [])]);
  const title = `Wait-for graph: ${edges.map(describeEdge).join('; ')}`;
  return frame(nodes, title, (marker) =>
    rows.flatMap((r) => [
      drawEdge(r.t, r.l, 'waits for', 'waits', marker, r.cyc),
      ...(r.o ? [drawEdge(r.l, r.o, 'held by', 'held', marker, r.cyc)] : []),
      drawNode(r.t, r.cyc),
      drawNode(r.l, r.cyc),
      ...(r.o ? [drawNode(r.o, r.cyc)] : []),
    ]),
  );
}
