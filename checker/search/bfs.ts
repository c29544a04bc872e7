// Exhaustive breadth-first search. The loop itself runs in Wasm (checker/wasm/engine.ts); this driver feeds it
// batches, enforces limits between batches and turns the engine's reports into violations with shortest paths
// (BFS order: the first state found violating a property has the fewest steps).

import type { Compiled } from '../compile/config.ts';
import { R_DEADLOCK, R_EXPECT, R_INVARIANT, RUN_DONE, RUN_OUT_OF_MEMORY, type FdraceExports } from '../kernel/exports.ts';
import type { Verdict } from '../scenario/types.ts';
import { VIOL_PROPERTY, formatPath, type SearchResult, type Violation } from './result.ts';

export interface Limits {
  maxStates?: number;
  maxDepth?: number;
  timeoutSeconds?: number;
  maxMemoryBytes?: number;
  /** Checked between batches: return true to stop (Ctrl-C). */
  interrupted?: () => boolean;
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  states: number;
  frontier: number;
  transitions: number;
  depth: number;
  seconds: number;
  memoryBytes: number;
}

const BATCH = 4096;

/** Write the compiled configuration into the instance and reset the engine. */
export function load(x: FdraceExports, c: Compiled, maxMemoryBytes = 0): void {
  new Uint8Array(x.memory.buffer, x.eConfigAddr(), c.bytes.length).set(c.bytes);
  const rc = x.eInit(maxMemoryBytes);
  if (rc === -2) throw new Error('out of memory before the search started (raise --max-memory)');
  if (rc !== 0) throw new Error(`internal error: the kernel rejected the configuration (${rc})`);
}

export function pathTo(x: FdraceExports, id: number): number[] {
  const moves: number[] = [];
  let cur = id >>> 0;
  while (cur !== 0) {
    moves.push(x.eMove(cur));
    cur = x.eParent(cur) >>> 0;
  }
  return moves.reverse();
}

export function bfs(x: FdraceExports, c: Compiled, limits: Limits = {}, file = c.scenario.name): SearchResult {
  const t0 = performance.now();
  load(x, c, limits.maxMemoryBytes ?? 0);
  let incomplete: string | undefined;
  let lastProgress = t0;
  const fanout = 2 * Math.max(1, c.ix.threadNames.length); // successors of one state, at most
  for (;;) {
    // Near --max-states, expand few states per batch so that the store stops within one state's successors.
    const room = limits.maxStates === undefined ? BATCH : Math.floor((limits.maxStates - (x.eCount() >>> 0)) / fanout);
    const rc = x.eRun(Math.max(1, Math.min(BATCH, room)));
    if (rc === RUN_DONE) break;
    if (rc === RUN_OUT_OF_MEMORY) {
      incomplete = 'out of memory (--max-memory or the 4 GiB Wasm limit)';
      break;
    }
    const seconds = (performance.now() - t0) / 1000;
    if (limits.maxStates !== undefined && x.eCount() >>> 0 >= limits.maxStates) {
      incomplete = `--max-states ${limits.maxStates} reached`;
      break;
    }
    if (limits.maxDepth !== undefined && x.eMaxDepth() > limits.maxDepth) {
      incomplete = `--max-depth ${limits.maxDepth} reached`;
      break;
    }
    if (limits.timeoutSeconds !== undefined && seconds >= limits.timeoutSeconds) {
      incomplete = `--timeout ${limits.timeoutSeconds}s reached`;
      break;
    }
    if (limits.interrupted?.()) {
      incomplete = 'interrupted';
      break;
    }
    if (limits.onProgress && performance.now() - lastProgress > 1000) {
      lastProgress = performance.now();
      limits.onProgress({
        states: x.eCount() >>> 0,
        frontier: (x.eCount() >>> 0) - (x.eHead() >>> 0),
        transitions: x.eTransitions(),
        depth: x.eMaxDepth(),
        seconds,
        memoryBytes: x.eMemBytes(),
      });
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const violations = collectViolations(x, c);
  const sometimes = x.eSometimes() >>> 0;
  if (!incomplete) {
    c.expectations.forEach((e, k) => {
      if (e.modality === 'sometimes' && !(sometimes & (1 << k))) {
        violations.push({
          property: e.label,
          kind: 'sometimes',
          message: `sometimes ${e.text}: no reachable state satisfies it`,
          path: '',
          steps: 0,
        });
      }
    });
  }
  const states = x.eCount() >>> 0;
  let verdict: Verdict = 'pass';
  if (violations.some((v) => v.property !== 'deadlock')) verdict = 'violation';
  else if (violations.length > 0) verdict = 'deadlock';
  else if (incomplete) verdict = 'incomplete';
  return {
    scenario: c.scenario.name,
    file,
    variant: c.variant,
    verdict,
    ...(incomplete ? { incomplete } : {}),
    stats: {
      states,
      transitions: x.eTransitions(),
      terminal: x.eTerminals() >>> 0,
      maxDepth: x.eMaxDepth(),
      seconds,
      statesPerSecond: seconds > 0 ? Math.round(states / seconds) : states,
      memoryBytes: x.eMemBytes(),
      stateBytes: x.eStateBytes(),
    },
    violations,
  };
}

function collectViolations(x: FdraceExports, c: Compiled): Violation[] {
  const out: Violation[] = [];
  const n = x.eReportCount();
  for (let k = 0; k < n; k++) {
    const kind = x.eReport(k, 0);
    const code = x.eReport(k, 1);
    const obj = x.eReport(k, 2);
    const moves = pathTo(x, x.eReport(k, 3));
    const path = formatPath(moves);
    if (kind === R_INVARIANT) {
      const info = VIOL_PROPERTY[code];
      const property = info?.property ?? 'kernel';
      out.push({ property, kind: info?.name ?? `code${code}`, message: describeViolation(c, code, obj), path, steps: moves.length });
    } else if (kind === R_EXPECT) {
      const e = c.expectations[code];
      if (!e) continue;
      const word = e.modality === 'at-end' ? 'at end' : e.modality;
      out.push({ property: e.label, kind: e.modality, message: `${word} ${e.text}`, path, steps: moves.length });
    } else if (kind === R_DEADLOCK) {
      out.push({ property: 'deadlock', kind: 'deadlock', message: 'no thread can move and some have not finished', path, steps: moves.length });
    }
  }
  return out;
}

export function describeViolation(c: Compiled, code: number, obj: number): string {
  const info = VIOL_PROPERTY[code];
  if (!info) return `kernel violation ${code}`;
  const files = c.ix.fileNames;
  const about = ['UafFile', 'RefUnderflow', 'RefMismatch', 'CloseZeroCount', 'DanglingFile', 'RefLeak'].includes(info.name)
    ? ` (file ${files[obj] ?? obj})`
    : info.name === 'LockHeldAtReturn' || info.name === 'SleepInAtomic'
      ? ` (thread ${c.ix.threadNames[obj] ?? obj})`
      : info.name === 'UafItem' || info.name === 'Watchers' || info.name === 'DuplicateKey'
        ? ` (epitem #${obj})`
        : '';
  return `${info.what}${about}`;
}
