// Reading scenario files from disk with errors that name the file (exit 2 in the CLI).

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario } from './scenario/parse.ts';
import { ScenarioError, type Scenario } from './scenario/types.ts';
import { checkVariantSpec } from './variants.ts';
import { UsageError } from './errors.ts';

const MAX_SCENARIO_BYTES = 1 << 20;

export function readScenario(path: string): Scenario {
  let text: string;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new UsageError(`${path}: is a directory (fdrace check takes .fdr files; fdrace ci takes directories)`);
    if (st.size > MAX_SCENARIO_BYTES) throw new UsageError(`${path}: ${st.size} bytes is too large for a scenario (limit 1 MiB)`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`${path}: cannot read the file (${code})`);
  }
  if (text.includes('\u0000')) throw new ScenarioError('the file contains NUL bytes: not a scenario text file', { line: 1, col: 1 }, path);
  return parseScenario(text, path, { variants: checkVariantSpec });
}

/** Expand files and directories (recursively, *.fdr, sorted) into scenario paths. */
export function scenarioPaths(args: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) {
        const q = join(p, e);
        if (statSync(q).isDirectory() || e.endsWith('.fdr')) walk(q);
      }
    } else out.push(p);
  };
  for (const a of args) walk(a);
  return out;
}
