// Counterexamples for reports: each violation of a search result replayed into a Trace and rendered as text
// (the same text `fdrace replay --all` prints), or, for violations that have no path (lock-order inversions found
// in the lock graph, `sometimes` expectations that nothing satisfies), what explains them instead.

import { relative, sep } from 'node:path';
import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { parsePath, type SearchResult, type Violation } from '../search/result.ts';
import { ReplayError, replay } from '../trace/replay.ts';
import { formatTrace } from '../trace/text.ts';
import type { Trace } from '../trace/types.ts';

export interface Counterexample {
  violation: Violation;
  /** The replayed path; null when the violation has no path or the replay failed (see `text`). */
  trace: Trace | null;
  /** Header and readable trace (or lockdep splat, or an explanation). Deterministic: no timings. */
  text: string;
}

/** A path as reports print it: relative to the working directory, with '/' separators. */
export function displayPath(file: string): string {
  const r = relative(process.cwd(), file) || file;
  return r.split(sep).join('/');
}

export function replayCommandLine(file: string, variant: string, path: string): string {
  return `fdrace replay ${displayPath(file)} --variant ${variant} --path ${path} --all`;
}

function header(file: string, r: SearchResult, v: Violation): string[] {
  return [`fdrace counterexample: ${r.scenario} on ${r.variant}, property ${v.property} (${v.kind})`, `scenario file: ${displayPath(file)}`, v.message];
}

/** Replay every violation of `r` on the kernel instance `x` (which must not be the one holding a search that is
 *  still needed: replay resets the engine). */
export function counterexamples(x: FdraceExports, c: Compiled, r: SearchResult, file: string): Counterexample[] {
  return r.violations.map((v): Counterexample => {
    const head = header(file, r, v);
    if (v.splat) return { violation: v, trace: null, text: [...head, '', v.splat, ''].join('\n') };
    if (v.kind === 'sometimes') {
      const why = 'no counterexample path: a `sometimes` expectation fails when no reachable state satisfies it';
      return { violation: v, trace: null, text: [...head, why, ''].join('\n') };
    }
    const where = `path ${v.path || '(initial state)'}, ${v.steps} steps; replay: ${replayCommandLine(file, r.variant, v.path)}`;
    try {
      const tr = replay(x, c, parsePath(v.path, c.ix.threadNames.length), displayPath(file), v.property);
      const lines = [...head, where, '', formatTrace(tr)];
      if (tr.violation && tr.violation.property !== v.property) {
        // Replay names the first property that fails in the last state; the search found this one there as well.
        lines.push(`   (the same state also violates ${v.property}: ${v.message})`);
      }
      return { violation: v, trace: tr, text: [...lines, ''].join('\n') };
    } catch (e) {
      if (!(e instanceof ReplayError)) throw e;
      return { violation: v, trace: null, text: [...head, where, `(replay stopped: ${e.message})`, ''].join('\n') };
    }
  });
}
