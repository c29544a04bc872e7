// Shared helpers for the search tests.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Compiled } from '../../checker/compile/config.ts';
import { failedProperties } from '../../checker/expected.ts';
import type { FdraceExports } from '../../checker/kernel/exports.ts';
import { readScenario } from '../../checker/load.ts';
import { parseScenario } from '../../checker/scenario/parse.ts';
import { engine } from '../../checker/search/engine-api.ts';
import type { SearchOptions } from '../../checker/search/options.ts';
import { parsePath, type SearchResult } from '../../checker/search/result.ts';
import { search } from '../../checker/search/run.ts';
import { replay } from '../../checker/trace/replay.ts';
import { nodeSession } from '../../checker/session-node.ts';
import { checkVariantSpec } from '../../checker/variants.ts';

const session = nodeSession();

export function compileText(text: string, variant: string): Compiled {
  const s = parseScenario(text, 'test.fdr', { variants: checkVariantSpec });
  return session.compile(s, session.resolve(variant), 'test.fdr');
}

/** Every scenario file of the library with each variant it lists. */
export function library(): { file: string; variant: string; c: Compiled }[] {
  const root = join(import.meta.dirname, '..', '..', 'scenarios');
  const files = [
    ...readdirSync(root)
      .filter((f) => f.endsWith('.fdr'))
      .map((f) => join(root, f)),
    ...readdirSync(join(root, 'history'))
      .filter((f) => f.endsWith('.fdr'))
      .map((f) => join(root, 'history', f)),
  ];
  const out: { file: string; variant: string; c: Compiled }[] = [];
  for (const file of files) {
    const s = readScenario(file);
    for (const variant of s.variants) {
      out.push({ file, variant, c: session.compile(s, session.resolve(variant), file) });
    }
  }
  return out;
}

/** Hashes of the terminal states the last search collected (collectTerminals). */
export function terminalSet(x: FdraceExports): string[] {
  const e = engine(x);
  const out = new Set<string>();
  for (let i = 0; i < e.eTerminalCount() >>> 0; i++) out.add(`${e.eTerminalHash(i, 1) >>> 0}:${e.eTerminalHash(i, 0) >>> 0}`);
  return [...out].sort();
}

export interface Outcome {
  verdict: string;
  properties: string[];
  terminals: string[];
  states: number;
  result: SearchResult;
}

export function outcome(x: FdraceExports, c: Compiled, o: SearchOptions, maxStates?: number): Outcome {
  const r = search(x, c, maxStates ? { maxStates } : {}, { ...o, collectTerminals: 'canonical' });
  return { verdict: r.verdict, properties: failedProperties(r), terminals: terminalSet(x), states: r.stats.states, result: r };
}

/** Every counterexample replays on the unreduced kernel and ends where it says. */
export function replaysAll(xr: FdraceExports, c: Compiled, r: SearchResult): void {
  for (const v of r.violations) {
    if (v.kind === 'sometimes' || v.kind === 'inversion' || v.property === 'lock-order') continue;
    const tr = replay(xr, c, parsePath(v.path, c.ix.threadNames.length), c.scenario.name, v.property);
    if (!tr.violation) throw new Error(`${v.property}: path ${v.path} replays without a violation`);
  }
}

/** Two closes on different files of one table (60 states, 100 transitions unreduced: test/kernel-counts.test.ts). */
/** close and dup of one slot of one table: two terminal states (dup sees the file or EBADF). */
export const CLOSE_VS_DUP = `scenario t
file X socket
process P
  fd 3 = X
thread T1 in P
  close(3)
thread T2 in P
  dup(3)
variants v6.2
result v6.2 pass
`;

export const TWO_CLOSES = `scenario t
file X socket
file Y socket
process P
  fd 3 = X
  fd 4 = Y
thread T1 in P
  close(3)
thread T2 in P
  close(4)
variants v6.2
result v6.2 pass
`;

/** T1 adds P's fd 3 to E while T2 closes it (transaction and lockset tests). */
export const ADD_VS_CLOSE = `scenario t
file A socket
epoll E
process P
  fd 3 = A
  fd 5 = E
thread T1 in P
  epoll_ctl(5, ADD, 3)
thread T2 in P
  close(3)
variants v6.2
result v6.2 pass
`;

/** Breadth-first, no other reduction: with the transaction reduction, and without any. */
export const TX = { strategy: 'bfs', por: false, symmetry: false, transactions: true } as const;
export const PLAIN = { strategy: 'bfs', por: false, symmetry: false } as const;

/** Verdict, violated properties and terminal states (canonical hashes) of a search. */
export function summary(x: FdraceExports, c: Compiled, o: SearchOptions) {
  const { verdict, properties, terminals } = outcome(x, c, o);
  return { verdict, properties, terminals };
}
