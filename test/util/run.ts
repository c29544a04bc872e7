// Test helpers: run scenario text through the real parser, compiler, kernel and search.
import { compileScenario, type Compiled } from '../../checker/compile/config.ts';
import type { FdraceExports } from '../../checker/kernel/exports.ts';
import { loadKernel } from '../../checker/kernel/load-node.ts';
import { parseScenario } from '../../checker/scenario/parse.ts';
import { bfs, type Limits } from '../../checker/search/bfs.ts';
import { withLockOrder } from '../../checker/lockdep.ts';
import { parsePath, type SearchResult } from '../../checker/search/result.ts';
import { replay } from '../../checker/trace/replay.ts';
import type { Trace } from '../../checker/trace/types.ts';
import { checkVariantSpec, resolveVariant } from '../../checker/variants.ts';

let kernel: FdraceExports | undefined;
export async function kernelInstance(): Promise<FdraceExports> {
  kernel ??= await loadKernel();
  return kernel;
}

export function compileText(text: string, variant: string): Compiled {
  const s = parseScenario(text, 'test.fdr', { variants: checkVariantSpec });
  return compileScenario(s, variant, resolveVariant(variant).toggles, 'test.fdr');
}

export async function check(text: string, variant: string, limits: Limits = {}): Promise<SearchResult> {
  const x = await kernelInstance();
  const c = compileText(text, variant);
  return withLockOrder(bfs(x, c, limits, 'test.fdr'), x, c);
}

export async function trace(text: string, variant: string, path: string, property?: string): Promise<Trace> {
  const c = compileText(text, variant);
  return replay(await kernelInstance(), c, parsePath(path, c.ix.threadNames.length), 'test.fdr', property);
}

/** A scenario with the given declarations and threads, and a single result line. */
export function scenario(body: string, variants = 'v6.2', results = 'result v6.2 pass'): string {
  return `scenario t\n${body.trim()}\n\nvariants ${variants}\n${results}\n`;
}
