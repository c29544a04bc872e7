// Running a set of scenario files the way `fdrace ci` and `fdrace verdicts` do: every scenario on every variant it
// names, each result compared with the scenario's `result` line, and (for reports) every violation replayed. The
// rows are the data every report (table, JUnit, SARIF, verdicts.md) is made from.

import type { Comparison } from '../expected.ts';
import { readScenario } from '../load.ts';
import { ScenarioError, type Loc, type Scenario } from '../scenario/types.ts';
import type { SearchResult } from '../search/result.ts';
import { nodeSession } from '../session-node.ts';
import { internalLine, isUserError, shellArg } from '../errors.ts';
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
  /** The error is fdrace's own (a bug), not the scenario's: exit 1, reported as an internal error. */
  internal?: boolean;
  /** Each violation replayed (only when runCi is asked for traces). */
  counterexamples?: Counterexample[];
}

export interface CiOptions {
  maxStates?: number;
  timeout?: number;
  /** Replay every violation into a trace (reports need them; the plain listing does not). */
  traces?: boolean;
  /** Checked between batches (Ctrl-C): the current run ends incomplete and no further run starts. */
  interrupted?: () => boolean;
}

export async function runCi(paths: string[], opts: CiOptions, each?: (row: CiRow) => void): Promise<CiRow[]> {
  const session = nodeSession();
  const rows: CiRow[] = [];
  const push = (row: CiRow) => {
    rows.push(row);
    each?.(row);
  };
  for (const file of paths) {
    if (opts.interrupted?.()) break;
    let s: Scenario;
    try {
      s = readScenario(file);
    } catch (e) {
      push(errorRow(e, { file, scenario: file, variant: '-' }));
      continue;
    }
    for (const variant of s.variants) {
      if (opts.interrupted?.()) break;
      let row: CiRow;
      try {
        const limits = { maxStates: opts.maxStates, timeoutSeconds: opts.timeout, interrupted: opts.interrupted };
        const { compiled, result, comparison } = await session.check(s, session.resolve(variant), file, { limits });
        row = { file, scenario: s.name, variant, s, result, cmp: comparison };
        if (opts.traces) row.counterexamples = counterexamples(await session.replayInstance(), compiled, result, file);
      } catch (e) {
        row = errorRow(e, { file, scenario: s.name, variant, s });
      }
      push(row);
    }
  }
  return rows;
}

/** A run that failed: a scenario error (located), or an internal error (one line naming what reproduces it). */
function errorRow(e: unknown, row: CiRow): CiRow {
  if (e instanceof ScenarioError) return { ...row, error: e.format(), errorLoc: e.loc };
  if (isUserError(e)) return { ...row, error: `${row.file}: ${(e as Error).message}` };
  const variant = row.variant === '-' ? undefined : row.variant;
  const command = ['fdrace', 'check', row.file, ...(variant ? ['--variant', variant] : [])].map(shellArg).join(' ');
  return { ...row, internal: true, error: internalLine(e, { file: row.file, variant, command }).replace(/^fdrace: /, '') };
}
