// Watch expressions, as in the TLA+ Toolbox's trace explorer: a scenario-language predicate evaluated in every
// state of a trace. The expression is compiled as one more expectation of the trace's own scenario, so it means
// exactly what it would mean in an `expect` line, and evaluated by the kernel on the replayed path.

import { StepStatus } from '../../model/codes.ts';
import { compileScenario } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { parseScenario } from '../scenario/parse.ts';
import { ScenarioError } from '../scenario/types.ts';
import { startAtInitial } from '../kernel/configure.ts';
import { parsePath } from '../search/result.ts';
import { checkVariantSpec, parseVariant } from '../variants.ts';

export const WATCH_LABEL = 'fdrace_watch';
const PREFIX = `expect ${WATCH_LABEL}: always `;

export class WatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WatchError';
  }
}

/** The value of `expr` in the initial state and after every step of `path` (index = step). */
export function watchValues(x: FdraceExports, source: string, variantLabel: string, path: string, expr: string): boolean[] {
  const text = expr.trim();
  if (text === '') throw new WatchError('type an expression, e.g. P.fd[4] == OLD or E has (NEW, 3)');
  if (/[\r\n]/.test(text) || text.length > 500) throw new WatchError('a watch expression is one line of at most 500 characters');
  const lines = source.replace(/\s+$/, '').split('\n');
  const line = lines.length + 1;
  let scenario;
  try {
    scenario = parseScenario(`${lines.join('\n')}\n${PREFIX}${text}\n`, 'watch.fdr', { variants: checkVariantSpec });
  } catch (e) {
    if (e instanceof ScenarioError) {
      const col = e.loc.line === line ? Math.max(1, e.loc.col - PREFIX.length) : null;
      throw new WatchError(col === null ? `the trace's scenario does not parse: ${e.message}` : `column ${col}: ${e.message}`);
    }
    throw e;
  }
  const v = parseVariant(variantLabel);
  let c;
  try {
    c = compileScenario(scenario, v.label, v.toggles, 'watch.fdr');
  } catch (e) {
    throw new WatchError(e instanceof ScenarioError ? e.message : (e as Error).message);
  }
  const k = c.expectations.findIndex((e) => e.label === WATCH_LABEL);
  if (k < 0) throw new WatchError('the expression did not compile');
  const moves = parsePath(path, c.ix.threadNames.length);
  const { a, b, size } = startAtInitial(x, c);
  const mem = () => new Uint8Array(x.memory.buffer);
  const out = [x.kEvalExpect(a, k) !== 0];
  for (const mv of moves) {
    if (x.kStep(a, b, mv >> 1, mv & 1) !== StepStatus.Ok) throw new WatchError('the trace path does not replay on this scenario');
    mem().copyWithin(a, b, b + size);
    out.push(x.kEvalExpect(a, k) !== 0);
  }
  return out;
}
