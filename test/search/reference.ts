// An independent reference explorer for tests: breadth-first over the kernel's states in TypeScript, one kStep
// at a time, no reduction and no engine code. It gives the exact numbers the engine must reproduce on tiny
// scenarios (reachable states, transitions, terminal states; symmetry orbits; (state, last thread) pairs for
// preemption-bounded search).

import type { Compiled } from '../../checker/compile/config.ts';
import type { FdraceExports } from '../../checker/kernel/exports.ts';
import { prepare } from '../../checker/search/options.ts';
import { StepStatus } from '../../model/codes.ts';

export interface Reference {
  states: number;
  transitions: number;
  terminal: number;
  maxDepth: number;
  /** Distinct canonical forms (symmetry orbits) of the reachable states. */
  orbits: number;
  /** Distinct (state, last thread) pairs: what preemption-bounded search stores. */
  pairs: number;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export function explore(x: FdraceExports, c: Compiled, limit = 200_000): Reference {
  // Set the engine up with symmetry so that the kernel's symmetry groups exist for canonicalisation; the
  // exploration itself starts from the raw initial state.
  prepare(x, c, {}, { strategy: 'bfs', por: false, symmetry: true, collectTerminals: 'canonical' });
  const size = x.kStateSize();
  const a = x.eScratch(0);
  const b = x.eScratch(1);
  const mem = () => new Uint8Array(x.memory.buffer);
  if (x.kBuildInitial(a) !== 0) throw new Error('no initial state');
  const init = mem().slice(a, a + size);
  const canon = (s: Uint8Array): string => {
    mem().set(s, b);
    (x as unknown as { kCanonicalize(p: number): number }).kCanonicalize(b);
    return hex(mem().slice(b, b + size));
  };
  const fatal = (s: Uint8Array): boolean => {
    mem().set(s, a);
    let m = x.kCheckMask(a) >>> 0;
    while (m !== 0) {
      const v = 31 - Math.clz32(m & -m);
      m &= m - 1;
      if (x.kIsFatal(v) !== 0) return true;
    }
    return false;
  };
  const seen = new Map<string, number>([[hex(init), 0]]);
  const pairs = new Set<string>([`${hex(init)}/-`]);
  const orbits = new Set<string>();
  let frontier: Uint8Array[] = [init];
  let transitions = 0;
  let terminal = 0;
  let depth = 0;
  let maxDepth = 0;
  while (frontier.length > 0 && seen.size < limit) {
    const next: Uint8Array[] = [];
    for (const s of frontier) {
      orbits.add(canon(s));
      if (fatal(s)) continue;
      let moved = false;
      for (let t = 0; t < c.ix.threadNames.length; t++) {
        for (const fault of [0, 1]) {
          mem().set(s, a);
          if (fault && x.kFaultsUsed(a) >= x.kFaultBudget()) continue;
          const st = x.kStep(a, b, t, fault);
          if (st !== StepStatus.Ok) break;
          if (fault && x.kSawFaultPoint() === 0) continue;
          const sawFault = x.kSawFaultPoint() !== 0;
          moved = true;
          transitions++;
          const n = mem().slice(b, b + size);
          const k = hex(n);
          pairs.add(`${k}/${t}`);
          if (!seen.has(k)) {
            seen.set(k, depth + 1);
            maxDepth = depth + 1;
            next.push(n);
          }
          if (!sawFault) break;
        }
      }
      if (!moved) terminal++;
    }
    frontier = next;
    depth++;
  }
  return { states: seen.size, transitions, terminal, maxDepth, orbits: orbits.size, pairs: pairs.size };
}
