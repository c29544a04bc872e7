// Running a set of scenario files the way `fdrace ci` and `fdrace verdicts` do: every scenario on every variant it
// names, each result compared with the scenario's `result` line, and (for reports) every violation replayed. The
// rows are the data every report (table, JUnit, SARIF, verdicts.md) is made from.

import type { Comparison } from '../expected.ts';
import { readScenario } from '../load.ts';
import { ScenarioError, type Loc, type Scenario } from '../scenario/types.ts';
import type { SearchResult } from '../search/result.ts';
import { nodeSession } from '../session-node.ts';
import { counterexamples, type Counterexample } from './counterexamples.ts';

export interface CiRow {
  file: string;
  scenario: string;
  variant: string;
  /** The parsed scenario (absent when it could not be read). */
  s?: Scenario;
  result?: SearchResult;
  cmp?: Comparison;
  error?: string;
  errorLoc?: Loc;
  /** Each violation replayed (only when runCi is asked for traces). */
  counterexamples?: Counterexample[];
}

export interface CiOptions {
  maxStates?: number;
  timeout?: number;
  /** Replay every violation into a trace (reports need them; the plain listing does not). */
  traces?: boolean;
}

export async function runCi(paths: string[], opts: CiOptions, each?: (row: CiRow) => void): Promise<CiRow[]> {
  const session = nodeSession();
  const rows: CiRow[] = [];
  const push = (row: CiRow) => {
    rows.push(row);
    each?.(row);
  };
  for (const file of paths) {
    let s: Scenario;
    try {
      s = readScenario(file);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      push({ file, scenario: file, variant: '-', error: e.format(), errorLoc: e.loc });
      continue;
    }
    for (const variant of s.variants) {
      let row: CiRow;
      try {
        const { compiled, result, comparison } = await session.check(s, session.resolve(variant), file, {
          limits: { maxStates: opts.maxStates, timeoutSeconds: opts.timeout },
        });
        row = { file, scenario: s.name, variant, s, result, cmp: comparison };
        if (opts.traces) row.counterexamples = counterexamples(await session.replayInstance(), compiled, result, file);
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw e;
        row = { file, scenario: s.name, variant, s, error: e.format(), errorLoc: e.loc };
      }
      push(row);
    }
  }
  return rows;
}
