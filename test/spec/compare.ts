// Comparing the kernel's state after every op with the sequential specification (test/spec/sequential.ts).

import type { Compiled } from '../../checker/compile/config.ts';
import type { FdraceExports } from '../../checker/kernel/exports.ts';
import { parseScenario } from '../../checker/scenario/parse.ts';
import { nodeSession } from '../../checker/session-node.ts';
import { Toggle } from '../../model/codes.ts';
import { RING_SLOTS, SequentialSpec, sortItems, type SpecEvent, type SpecItem, type SpecRingSlot, type SpecRun, type SpecSnapshot } from './sequential.ts';
import { SEQUENTIAL_VARIANTS, documentedMaxFds, renderOp, renderScenario, specInit, stripOp, type GenScenario } from './render.ts';
import { kernelTrace, runKernel, type KernelRun, type KernelState } from './drive.ts';

// ---- comparison --------------------------------------------------------------------------------------------

const fmtItem = (it: SpecItem) => `(${it.file}, ${it.fd}) ${it.events.join('|')} data=${it.data}`;
const fmtRet = (v: number | null | undefined) => (v === null || v === undefined ? 'not returned' : String(v));
const fmtSlot = (s: SpecRingSlot | null) => (s ? `${s.file} (fd ${s.fd} of ${s.table})` : 'empty');

/** Every difference between a kernel state and the specification's, as readable lines. `specRets` are the
 *  return values the thread's ops must show at that point (null: not returned, or skipped). */
export function compare(k: KernelState, spec: SpecSnapshot, specRets: (number | null)[], threadName: string, toggles: number): string[] {
  const diffs: string[] = [];
  const th = k.threads.find((t) => t.name === threadName);
  if (!th) return [`kernel has no thread ${threadName}`];
  th.returns.forEach((got, i) => {
    const want = specRets[i] ?? null;
    if (got !== want) diffs.push(`op ${i + 1} returned: kernel ${fmtRet(got)}, spec ${fmtRet(want)}`);
  });

  for (const t of spec.tables) {
    const kp = k.processes.find((p) => p.name === t.name);
    const want = t.fds.map((d) => `${d.fd}=${d.file}`).join(' ');
    const got = kp ? kp.fds.map((d) => `${d.fd}=${d.file}`).join(' ') : '(no such table)';
    if (got !== want) diffs.push(`table ${t.name}: kernel {${got}}, spec {${want}}`);
  }

  for (const f of spec.files) {
    const kf = k.files.find((x) => x.name === f.name);
    if (!kf) {
      diffs.push(`kernel has no file ${f.name}`);
      continue;
    }
    if (kf.ref !== f.ref) diffs.push(`${f.name}.ref: kernel ${kf.ref}, spec ${f.ref}`);
    if (kf.life !== f.life) diffs.push(`${f.name}.state: kernel ${kf.life}, spec ${f.life}`);
  }

  for (const e of spec.epolls) {
    const ke = k.epolls.find((x) => x.name === e.name);
    if (!ke) {
      diffs.push(`kernel has no epoll ${e.name}`);
      continue;
    }
    if (ke.life !== e.life) diffs.push(`eventpoll ${e.name}: kernel ${ke.life}, spec ${e.life}`);
    // ep->refcount (current generations): the epoll file's reference while it lives, plus one per epitem.
    if (toggles & Toggle.EpRefcount) {
      const want = e.life === 'live' ? 1 + e.items.length : 0;
      if (ke.refcount !== want) diffs.push(`${e.name} ep->refcount: kernel ${ke.refcount}, spec ${want} (1 + ${e.items.length} items)`);
    }
    for (const it of ke.items) {
      if (!it.inRbr || !it.onFep || it.dying) {
        diffs.push(`${e.name} item (${it.file}, ${it.fd}) half-linked: inRbr=${it.inRbr} onFep=${it.onFep} dying=${it.dying}`);
      }
    }
    const kItems = sortItems(ke.items.map((it) => ({ file: it.file, fd: it.fd, events: it.events as SpecEvent[], data: it.data })));
    const got = kItems.map(fmtItem).join('; ');
    const want = e.items.map(fmtItem).join('; ');
    if (got !== want) diffs.push(`${e.name} interest list: kernel {${got}}, spec {${want}}`);
  }

  const kRing = k.ring ?? Array.from({ length: RING_SLOTS }, () => null);
  spec.ring.forEach((s, i) => {
    const got = fmtSlot(kRing[i] ?? null);
    const want = fmtSlot(s);
    if (got !== want) diffs.push(`io_uring slot ${i}: kernel ${got}, spec ${want}`);
  });

  const held = spec.held.find((h) => h.thread === threadName)?.files ?? [];
  const kHeld = [...th.held].sort().join(', ');
  const sHeld = [...held].sort().join(', ');
  if (kHeld !== sHeld) diffs.push(`references held by ${threadName}: kernel [${kHeld}], spec [${sHeld}]`);
  if (th.pendingFput.length > 0) diffs.push(`${threadName} still has __fput queued for ${th.pendingFput.join(', ')}`);
  if (th.frames.length > 0) diffs.push(`${threadName} is still in the kernel (${th.frames.map((f) => f.routine).join(' > ')})`);

  if (k.global.watches !== spec.watches) diffs.push(`epoll_watches: kernel ${k.global.watches}, spec ${spec.watches}`);
  for (const l of k.locks) if (l.owner !== null) diffs.push(`${l.name} still held by ${l.owner}`);
  return diffs;
}

export interface Outcome {
  text: string;
  variant: string;
  /** Empty when kernel and specification agree. */
  diffs: string[];
  spec: SpecRun;
  kernel: KernelRun;
  compiled: Compiled;
}

const session = nodeSession();

/** Parse `text` (by default `g` rendered), compile it for `variant`, run it on the kernel and `g` on the
 *  specification, and compare them after every op that ran; the diffs describe the first op after which they
 *  differ. */
export function check(x: FdraceExports, g: GenScenario, variant = SEQUENTIAL_VARIANTS[0]!, text = renderScenario(g)): Outcome {
  const s = parseScenario(text, 'generated.fdr');
  const compiled = session.compile(s, session.resolve(variant), 'generated.fdr');
  const diffs: string[] = [];
  const maxFds = documentedMaxFds(g);
  if (compiled.nSlots !== maxFds) diffs.push(`max_fds: compiled ${compiled.nSlots}, documented rule ${maxFds}`);
  const spec = new SequentialSpec(specInit(g, compiled.nSlots)).run(g.thread.name, g.ops.map(stripOp));
  const kernel = runKernel(x, compiled);
  if (kernel.problem) {
    const at = kernel.afterOp.length < spec.ran.length ? spec.ran[kernel.afterOp.length]! : -1;
    diffs.push(at >= 0 ? `during op ${at + 1}, ${renderOp(g.ops[at]!)}: ${kernel.problem}` : kernel.problem);
  }
  const retsUpTo = (k: number) => spec.rets.map((v, i) => (i <= k ? v : null));
  for (let j = 0; j < spec.ran.length; j++) {
    const k = spec.ran[j]!;
    const state = kernel.afterOp[j];
    const where = `after op ${k + 1}, ${renderOp(g.ops[k]!)}`;
    if (!state) {
      diffs.push(`${where}: the kernel never got there; its last state:`);
      diffs.push(...compare(kernel.final, spec.snaps[j]!, retsUpTo(k), g.thread.name, compiled.toggles).map((d) => `  ${d}`));
      break;
    }
    const d = compare(state, spec.snaps[j]!, retsUpTo(k), g.thread.name, compiled.toggles);
    if (d.length > 0) {
      diffs.push(`${where}:`, ...d.map((line) => `  ${line}`));
      break;
    }
  }
  if (diffs.length === 0) {
    if (kernel.afterOp.length !== spec.ran.length) {
      diffs.push(`the kernel came back to user space ${kernel.afterOp.length} times for ${spec.ran.length} ops run (of ${g.ops.length})`);
    }
    if (kernel.final.threads[0]?.status !== 'done') diffs.push(`the thread is ${kernel.final.threads[0]?.status} at the end, not done`);
  }
  return { text, variant, diffs, spec, kernel, compiled };
}

/** check() on every variant in `variants`; the outcomes that disagree (empty: all agree). */
export function checkAll(x: FdraceExports, g: GenScenario, variants: readonly string[] = SEQUENTIAL_VARIANTS): Outcome[] {
  const text = renderScenario(g, 'spec-random', variants);
  return variants.map((v) => check(x, g, v, text)).filter((o) => o.diffs.length > 0);
}

/** The failure report: the scenario, what differs, the spec's return values and the kernel's trace. */
export function report(x: FdraceExports, o: Outcome): string {
  let trace: string[];
  try {
    trace = kernelTrace(x, o.compiled, Math.min(o.kernel.steps + 1, 400));
  } catch (e) {
    trace = [`(no trace: ${(e as Error).message})`];
  }
  return [
    `kernel (${o.variant}) and sequential spec disagree`,
    '--- scenario ---',
    o.text.trimEnd(),
    '--- differences ---',
    ...o.diffs.map((d) => `  ${d}`),
    `--- spec return values: ${o.spec.rets.map((v) => (v === null ? 'skipped' : String(v))).join(', ')}`,
    `--- kernel trace (${o.variant}) ---`,
    ...trace,
  ].join('\n');
}
