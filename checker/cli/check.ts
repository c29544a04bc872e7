// fdrace check FILE... : exhaustive search of each scenario on each variant, a summary per run and the shortest
// trace of each violation. Exit 10 on a violation, 11 on a deadlock, 12 if a limit stopped a search, else 0.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileScenario } from '../compile/config.ts';
import { compare } from '../expected.ts';
import { loadKernel } from '../kernel/load-node.ts';
import { readScenario } from '../load.ts';
import { bfs, type Limits } from '../search/bfs.ts';
import { withLockOrder } from '../lockdep.ts';
import { parsePath, type SearchResult } from '../search/result.ts';
import { replay } from '../trace/replay.ts';
import { formatTrace } from '../trace/text.ts';
import { resolveVariant } from '../variants.ts';
import { helpText, parseArgs, type OptSpec } from './args.ts';
import { EXIT, UsageError } from './exit.ts';
import { headline, statsLine } from './report.ts';

export const CHECK_OPTIONS: Record<string, OptSpec> = {
  variant: { kind: 'list', value: 'NAME', help: 'variant to check (repeatable); default: every variant the scenario lists' },
  without: { kind: 'list', value: 'TOGGLE', help: 'switch a toggle off in the chosen variants ("what if this fix were missing?")' },
  with: { kind: 'list', value: 'TOGGLE', help: 'switch a toggle on in the chosen variants' },
  strategy: { kind: 'string', value: 'bfs', help: 'search strategy: bfs (breadth-first, shortest counterexamples)' },
  'max-states': { kind: 'int', value: 'N', min: 1, max: 2 ** 31, help: 'stop after storing N states (result: incomplete, exit 12)' },
  'max-depth': { kind: 'int', value: 'N', min: 1, max: 65535, help: 'stop when a state deeper than N steps is stored (incomplete)' },
  timeout: { kind: 'number', value: 'S', min: 0.001, max: 1e7, help: 'stop after S seconds (incomplete, exit 12)' },
  'max-memory': { kind: 'int', value: 'MIB', min: 1, max: 4095, help: 'cap the state store at MIB mebibytes (incomplete when reached)' },
  workers: { kind: 'int', value: 'N', min: 1, max: 1, help: 'worker threads (this build searches with 1)' },
  json: { kind: 'flag', help: 'print one JSON object per scenario x variant instead of the summary' },
  'trace-out': { kind: 'string', value: 'DIR', help: 'write each counterexample as Trace JSON (format 1) into DIR' },
  'no-trace': { kind: 'flag', help: 'do not print counterexample traces (summaries only)' },
  quiet: { kind: 'flag', help: 'no progress output on stderr' },
  help: { kind: 'flag', help: 'show this help' },
};

export const CHECK_USAGE = 'usage: fdrace check FILE.fdr... [options]';

let interrupted = false;

export async function checkCommand(argv: string[]): Promise<number> {
  const { positional, opts } = parseArgs(argv, CHECK_OPTIONS);
  if (opts.help) {
    console.log(helpText(CHECK_USAGE, CHECK_OPTIONS));
    return EXIT.ok;
  }
  if (positional.length === 0) throw new UsageError(`no scenario file given\n${CHECK_USAGE}`);
  if (opts.strategy !== undefined && opts.strategy !== 'bfs') {
    throw new UsageError(`unknown strategy '${String(opts.strategy)}' (this build has: bfs)`);
  }
  const scenarios = positional.map((p) => ({ path: p, s: readScenario(p) }));
  const x = await loadKernel();
  // Replays get their own instance: replaying resets the engine, and the search's store must stay intact.
  const xr = await loadKernel();
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  const showProgress = !opts.quiet && !opts.json && process.stderr.isTTY === true;
  const limits: Limits = {
    maxStates: opts['max-states'] as number | undefined,
    maxDepth: opts['max-depth'] as number | undefined,
    timeoutSeconds: opts.timeout as number | undefined,
    maxMemoryBytes: opts['max-memory'] ? (opts['max-memory'] as number) * 1024 * 1024 : 0,
    interrupted: () => interrupted,
    onProgress: showProgress
      ? (p) => process.stderr.write(`\r${p.states} states, ${Math.round(p.states / p.seconds)} states/s, frontier ${p.frontier}, depth ${p.depth}, ${(p.memoryBytes / 2 ** 20).toFixed(0)} MiB   `)
      : undefined,
  };
  const results: SearchResult[] = [];
  try {
    for (const { path, s } of scenarios) {
      const names = (opts.variant as string[] | undefined) ?? s.variants;
      for (const name of names) {
        let v;
        try {
          v = resolveVariant(name, (opts.without as string[]) ?? [], (opts.with as string[]) ?? []);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        const c = compileScenario(s, v.label, v.toggles, path);
        const r = withLockOrder(bfs(x, c, limits, path), x, c);
        if (showProgress) process.stderr.write('\r\x1b[K');
        results.push(r);
        const cmp = v.label === name ? compare(s, r, name) : undefined;
        if (opts.json) {
          console.log(JSON.stringify({ ...r, ...(cmp ? { expected: cmp.expected, matchesExpected: cmp.matches } : {}) }));
        } else {
          console.log(headline(r, cmp));
          console.log(`  ${statsLine(r)}`);
        }
        for (const viol of r.violations) {
          if (!opts.json) console.log(`  ${viol.property}: ${viol.message}${viol.path || viol.steps ? ` [${viol.steps} steps, path ${viol.path || '(initial state)'}]` : ''}`);
          if (viol.splat && !opts.json) console.log(indent(viol.splat));
          if (viol.kind === 'sometimes' || viol.kind === 'inversion') continue;
          const needTrace = (!opts.json && !opts['no-trace']) || opts['trace-out'];
          if (!needTrace) continue;
          const tr = replay(xr, c, parsePath(viol.path, c.ix.threadNames.length), path, viol.property);
          if (!opts.json && !opts['no-trace']) console.log(indent(formatTrace(tr, { changesOnly: true })));
          if (opts['trace-out']) {
            const dir = opts['trace-out'] as string;
            mkdirSync(dir, { recursive: true });
            const f = join(dir, `${s.name}.${v.label}.${viol.property}.trace.json`);
            writeFileSync(f, JSON.stringify(tr, null, 1));
            if (!opts.json) console.log(`  trace written to ${f}`);
          }
        }
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  return exitFor(results);
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

export function exitFor(results: SearchResult[]): number {
  if (results.some((r) => r.verdict === 'violation')) return EXIT.violation;
  if (results.some((r) => r.verdict === 'deadlock')) return EXIT.deadlock;
  if (results.some((r) => r.verdict === 'incomplete')) return EXIT.incomplete;
  return EXIT.ok;
}
