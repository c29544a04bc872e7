// The long equivalence run of the transaction reduction and of DPOR (issue 11): N random scenarios (default 1,500; fast-check,
// the generator of test/search/gen.ts), each searched unreduced and with transactions in the configurations below;
// the verdict, the violated properties and the reachable terminal states must be equal, every counterexample must
// replay on the unreduced kernel, and --check-movers must find no wrong classification. The scenario library runs
// first, in the same configurations. `npm test` runs a few
// hundred of these (test/search/equivalence.test.ts); this is the full count, too slow for it.
//
//   node --import tsx test/search/equivalence-long.ts [RUNS] [SEED] [CONFIGS]
//
// CONFIGS: a regular expression choosing configurations by name (default: all), e.g. "transactions" or "dpor".

import fc from 'fast-check';
import { loadKernel } from '../../checker/kernel/load-node.ts';
import type { SearchOptions } from '../../checker/search/options.ts';
import { scenarioArb } from './gen.ts';
import { type Outcome, compileText, library, outcome, replaysAll } from './util.ts';

const runs = Number(process.argv[2] ?? 1500);
const seed = Number(process.argv[3] ?? 20261203);
const pick = new RegExp(process.argv[4] ?? '.');
const ALL_CONFIGS: Record<string, SearchOptions> = {
  'bfs transactions +check-movers': { strategy: 'bfs', por: false, symmetry: false, transactions: true, checkMovers: true },
  'bfs transactions+por+symmetry': { strategy: 'bfs', por: true, symmetry: true, transactions: true },
  'dfs fingerprint transactions+por': { strategy: 'dfs', storage: 'fingerprint', por: true, symmetry: false, transactions: true },
  // DPOR (checker/wasm/dpor.ts); the stateless walk is capped (a run over the cap is skipped, and counted).
  'dfs dpor stateful': { strategy: 'dfs', dpor: 'stateful' },
  'dfs dpor stateless': { strategy: 'dfs', dpor: 'stateless' },
};
const CONFIGS = Object.fromEntries(Object.entries(ALL_CONFIGS).filter(([name]) => pick.test(name)));
if (Object.keys(CONFIGS).length === 0) throw new Error(`no configuration matches ${pick}`);
/** The stateless walk repeats every path to a state: over this many states reached, a run is skipped (counted). */
const DPOR_CAP = 2_000_000;

/** Why two outcomes differ, or null. */
function differs(plain: Outcome, red: Outcome): string | null {
  if (red.verdict !== plain.verdict || red.properties.join() !== plain.properties.join()) {
    return `plain ${plain.verdict} ${plain.properties}; reduced ${red.verdict} ${red.properties}`;
  }
  if (red.terminals.join() === plain.terminals.join()) return null;
  const missing = plain.terminals.filter((h) => !red.terminals.includes(h)).length;
  const extra = red.terminals.filter((h) => !plain.terminals.includes(h)).length;
  return `same verdict (${plain.verdict} ${plain.properties}), but terminal states differ: ${missing} of ${plain.terminals.length} missing, ${extra} extra`;
}

const x = await loadKernel();
const xr = await loadKernel();
let compared = 0;
let skipped = 0;
let dporSkipped = 0;
let plainStates = 0;
let txStates = 0;
const t0 = performance.now();
// The library first, every scenario x variant in every configuration: its variants break and keep the lockset
// discipline (model/lockset.ts) on purpose, and --check-movers checks each protected both-mover there too.
let libraryCompared = 0;
for (const l of library()) {
  const plain = outcome(x, l.c, { strategy: 'bfs', por: false, symmetry: false });
  for (const [name, o] of Object.entries(CONFIGS)) {
    const red = outcome(x, l.c, o, o.dpor ? DPOR_CAP : undefined);
    if (o.dpor && red.result.incomplete !== undefined) {
      dporSkipped++;
      continue;
    }
    const why = differs(plain, red);
    if (why) throw new Error(`${name} differs on ${l.file} [${l.variant}]: ${why}`);
    replaysAll(xr, l.c, red.result);
  }
  libraryCompared++;
}
fc.assert(
  fc.property(scenarioArb(), (g) => {
    const c = compileText(g.text, g.variant);
    const plain = outcome(x, c, { strategy: 'bfs', por: false, symmetry: false }, 50_000);
    if (plain.result.incomplete !== undefined) {
      skipped++;
      return;
    }
    for (const [name, o] of Object.entries(CONFIGS)) {
      const red = outcome(x, c, o, o.dpor ? DPOR_CAP : undefined);
      if (o.dpor && red.result.incomplete !== undefined) {
        dporSkipped++;
        continue;
      }
      const why = differs(plain, red);
      if (why) throw new Error(`${name} differs on\n${g.text}\n${why}`);
      replaysAll(xr, c, red.result);
      if (name.startsWith('bfs transactions +')) {
        plainStates += plain.states;
        txStates += red.states;
      }
    }
    compared++;
  }),
  { numRuns: runs, seed },
);
const s = ((performance.now() - t0) / 1000).toFixed(0);
console.log(
  `library: ${libraryCompared} scenario x variant pairs identical in every configuration; ` +
    `${compared} random scenarios compared (${skipped} over 50,000 states skipped), ${Object.keys(CONFIGS).length} configurations each, in ${s} s: ` +
    `verdicts, violated properties and terminal states identical; states unreduced / transactions ${(plainStates / txStates).toFixed(2)}x; ` +
    `${dporSkipped} DPOR runs over 2,000,000 states skipped (library included); configurations: ${Object.keys(CONFIGS).join(', ')}`,
);
