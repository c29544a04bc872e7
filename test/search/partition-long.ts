// The long equivalence run of partitioned workers (issue 11, checker/search/partition.ts): N random scenarios
// (default 1,500; fast-check, the generator of test/search/gen.ts), each searched by one worker and by 2 and 3
// partitioned workers. Without sleep sets the verdict, the violated properties, the state, transition and terminal
// counts and each violation's path length must be equal; with sleep sets (the default) the verdict and the
// violated properties; every counterexample must replay on the unreduced kernel. `npm test` runs 200 of these
// (test/search/partition.test.ts); this is the full count. Kept apart from equivalence-long.ts, which the other
// reductions extend, so that the two can be run (and merged) independently.
//
//   node --import tsx test/search/partition-long.ts [RUNS] [SEED]

import fc from 'fast-check';
import { failedProperties } from '../../checker/expected.ts';
import { loadKernel } from '../../checker/kernel/load-node.ts';
import type { SearchOptions } from '../../checker/search/options.ts';
import { partitionedBfs } from '../../checker/search/partition.ts';
import type { SearchResult } from '../../checker/search/result.ts';
import { search } from '../../checker/search/run.ts';
import { scenarioArb } from './gen.ts';
import { compileText, replaysAll } from './util.ts';

const runs = Number(process.argv[2] ?? 1500);
const seed = Number(process.argv[3] ?? 20261203);
const CONFIGS: Record<string, { o: SearchOptions; exact: boolean }> = {
  plain: { o: { strategy: 'bfs', por: false, symmetry: false }, exact: true },
  'por+symmetry': { o: { strategy: 'bfs', por: true, symmetry: true, sleepSets: false }, exact: true },
  'collapse por+symmetry': { o: { strategy: 'bfs', storage: 'collapse', por: true, symmetry: true, sleepSets: false }, exact: true },
  defaults: { o: { strategy: 'bfs' }, exact: false },
};

function key(r: SearchResult, exact: boolean): string {
  const base = [r.verdict, failedProperties(r).join(',')];
  if (!exact) return base.join(' ');
  const steps = r.violations.map((v) => `${v.property}.${v.kind}:${v.steps}`).sort();
  return [...base, r.stats.states, r.stats.transitions, r.stats.terminal, r.stats.maxDepth, ...steps].join(' ');
}

const x = await loadKernel();
const xr = await loadKernel();
let compared = 0;
let skipped = 0;
const t0 = performance.now();
await fc.assert(
  fc.asyncProperty(scenarioArb(), async (g) => {
    const c = compileText(g.text, g.variant);
    for (const [name, { o, exact }] of Object.entries(CONFIGS)) {
      const one = search(x, c, { maxStates: 50_000 }, o);
      if (one.incomplete !== undefined) {
        skipped++;
        return;
      }
      for (const n of [2, 3]) {
        const many = await partitionedBfs(c, {}, o, n);
        if (key(many, exact) !== key(one, exact)) {
          throw new Error(`${name} on ${n} workers differs on\n${g.text}\none:  ${key(one, exact)}\nmany: ${key(many, exact)}`);
        }
        replaysAll(xr, c, many);
      }
    }
    compared++;
  }),
  { numRuns: runs, seed },
);
const s = ((performance.now() - t0) / 1000).toFixed(0);
console.log(
  `${compared} random scenarios compared (${skipped} over 50,000 states skipped), ${Object.keys(CONFIGS).length} configurations x 2 and 3 ` +
    `partitioned workers each, in ${s} s: identical to one worker`,
);
process.exit(0);
