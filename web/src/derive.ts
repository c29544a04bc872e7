// Re-deriving a trace from a shareable link: parse the scenario, compile it for the variant, replay the path in
// the page's own kernel. The same steps as `fdrace replay`, so a link shows exactly what the CLI would print.

import { ScenarioError } from '../../checker/scenario/types.ts';
import { parseScenario } from '../../checker/scenario/parse.ts';
import { Path } from '../../checker/path.ts';
import { Session } from '../../checker/session.ts';
import { ReplayError } from '../../checker/trace/replay.ts';
import { checkVariantSpec } from '../../checker/variants.ts';
import { kernel } from './kernel.ts';
import type { Share } from './url.ts';
import { LIMITS, type ViewTrace } from './validate.ts';

// Replays run in the page's (or worker's) one kernel instance, as before.
const session = new Session({ kernel });

export class DeriveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeriveError';
  }
}

/** The longest path a link replays: the viewer's own step limit (a longer counterexample is for `fdrace replay`). */
export const MAX_LINK_STEPS = LIMITS.steps;

export async function deriveTrace(share: Share, onProgress?: (done: number, total: number) => void): Promise<ViewTrace> {
  let scenario;
  try {
    scenario = parseScenario(share.source, 'link.fdr', { variants: checkVariantSpec });
  } catch (e) {
    if (e instanceof ScenarioError) throw new DeriveError(`the link's scenario does not parse: ${e.loc.line}:${e.loc.col}: ${e.message}`);
    throw e;
  }
  let v;
  try {
    v = session.resolve(share.variant);
  } catch (e) {
    throw new DeriveError(`the link's variant: ${(e as Error).message}`);
  }
  const file = `${scenario.name}.fdr`;
  let compiled;
  try {
    compiled = session.compile(scenario, v, file);
  } catch (e) {
    if (e instanceof ScenarioError) throw new DeriveError(`the link's scenario does not compile: ${e.message}`);
    throw e;
  }
  let path: Path;
  try {
    path = Path.parse(share.path, compiled.ix.threadNames.length);
  } catch (e) {
    throw new DeriveError(`the link's path: ${(e as Error).message}`);
  }
  if (path.length > MAX_LINK_STEPS) {
    throw new DeriveError(
      `the link's path has ${path.length.toLocaleString('en')} steps; the viewer replays at most ${MAX_LINK_STEPS.toLocaleString('en')} (run fdrace replay ${file} --variant ${share.variant} --path … on the command line)`,
    );
  }
  try {
    return await session.replay(compiled, path, file, share.prop, onProgress);
  } catch (e) {
    if (e instanceof ReplayError) throw new DeriveError(`the link's path does not fit the scenario: ${e.message}`);
    throw e;
  }
}
