// Seeded random walks ("swarm" when many): walk i of base seed S uses seed S + i, so every walk — and every
// counterexample — is reproducible alone with `--seed S+i --walks 1`. Not exhaustive: without a violation the
// result is incomplete. Distinct states seen are counted in a fingerprint (or bitstate) set.

import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { finish, type Found } from './collect.ts';
import { engine } from './engine-api.ts';
import { stopReason, type Steps } from './loop.ts';
import { DEFAULTS, prepare, type Limits, type SearchOptions } from './options.ts';
import type { SearchResult } from './result.ts';

/** Split a seed (0 <= seed < 2^53) into the engine's two u32 halves. */
export function seedHalves(seed: number): [number, number] {
  return [Math.floor(seed / 2 ** 32) >>> 0, seed >>> 0];
}

const WALK_FOUND = 1;
const WALK_OOM = 2;

/** randomWalks, yielding after each walk. Every limit is checked after every walk (a walk is at most --walk-depth
 *  steps), so --timeout, --max-memory and Ctrl-C stop a swarm promptly. */
export function* randomWalkSteps(x: FdraceExports, c: Compiled, limits: Limits = {}, file = c.scenario.name, options: SearchOptions = {}): Steps<SearchResult> {
  const walks = options.walks ?? DEFAULTS.walks;
  const seed = options.seed ?? 0;
  const o: SearchOptions = { ...options, strategy: 'random', walks, seed };
  const t0 = performance.now();
  prepare(x, c, limits, o);
  const e = engine(x);
  const found = new Map<number, Found>();
  let incomplete: string | undefined;
  let lastProgress = t0;
  let done = 0;
  while (done < walks) {
    const s = seed + done;
    const before = x.eReportCount();
    const [hi, lo] = seedHalves(s);
    const rc = e.eWalk(hi, lo);
    done++;
    if (rc === WALK_FOUND || x.eReportCount() > before) {
      const moves: number[] = [];
      const n = e.eWalkLength() >>> 0;
      for (let i = 0; i < n; i++) moves.push(e.eWalkMove(i));
      for (let k = before; k < x.eReportCount(); k++) found.set(k, { moves, seed: s });
    }
    if (rc === WALK_OOM) {
      incomplete = `out of memory (--max-memory or the 4 GiB Wasm limit) in walk seed ${s}`;
      break;
    }
    if (limits.maxStates !== undefined && x.eCount() >>> 0 >= limits.maxStates) {
      incomplete = `--max-states ${limits.maxStates} reached`;
      break;
    }
    incomplete = stopReason(limits, t0);
    if (incomplete) break;
    yield;
    if (limits.onProgress && performance.now() - lastProgress > 1000) {
      lastProgress = performance.now();
      const seconds = (performance.now() - t0) / 1000;
      const left = ((walks - done) * seconds) / done;
      limits.onProgress({
        states: x.eCount() >>> 0,
        frontier: 0,
        transitions: x.eTransitions(),
        depth: x.eMaxDepth(),
        seconds,
        memoryBytes: x.eMemBytes(),
        remaining: `walk ${done}/${walks}, ~${left.toFixed(0)} s left`,
      });
    }
  }
  if (!incomplete) incomplete = `random walks are not exhaustive (${done} walks of at most ${o.walkDepth ?? DEFAULTS.walkDepth} steps)`;
  return finish({ x, c, file, t0, incomplete, found, options: o, limits, walks: done, exhaustive: false });
}
