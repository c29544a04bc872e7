// fdrace replay FILE --variant NAME --path PATH : the trace of one given path (loom's "a run is a vector of
// choices"). A path that does not fit the scenario (a blocked or finished thread, a fault where nothing
// allocates) is a usage error naming the step.

import { compileScenario } from '../compile/config.ts';
import { loadKernel } from '../kernel/load-node.ts';
import { readScenario } from '../load.ts';
import { parsePath } from '../search/result.ts';
import { ReplayError, replay } from '../trace/replay.ts';
import { formatTrace } from '../trace/text.ts';
import { resolveVariant } from '../variants.ts';
import { helpText, parseArgs, type OptSpec } from './args.ts';
import { EXIT, UsageError } from './exit.ts';
import { InternalError, shellArg } from './internal.ts';

export const REPLAY_OPTIONS: Record<string, OptSpec> = {
  variant: { kind: 'string', value: 'NAME', help: 'variant (required)' },
  path: { kind: 'string', value: 'PATH', help: 'moves separated by dots: thread number, "!" = the step\'s allocation fails' },
  without: { kind: 'list', value: 'TOGGLE', help: 'switch a toggle off' },
  with: { kind: 'list', value: 'TOGGLE', help: 'switch a toggle on' },
  json: { kind: 'flag', help: 'print the Trace JSON (format 1)' },
  all: { kind: 'flag', help: 'also list steps that changed nothing visible' },
  help: { kind: 'flag', help: 'show this help' },
};
export const REPLAY_USAGE = 'usage: fdrace replay FILE.fdr --variant NAME --path PATH [--json]';

export async function replayCommand(argv: string[]): Promise<number> {
  const { positional, opts } = parseArgs(argv, REPLAY_OPTIONS);
  if (opts.help) {
    console.log(helpText(REPLAY_USAGE, REPLAY_OPTIONS));
    return EXIT.ok;
  }
  if (positional.length !== 1) throw new UsageError(`replay takes exactly one scenario file\n${REPLAY_USAGE}`);
  if (typeof opts.variant !== 'string') throw new UsageError(`--variant is required\n${REPLAY_USAGE}`);
  if (typeof opts.path !== 'string') throw new UsageError(`--path is required\n${REPLAY_USAGE}`);
  const file = positional[0]!;
  const s = readScenario(file);
  const v = resolveVariant(opts.variant, (opts.without as string[]) ?? [], (opts.with as string[]) ?? []);
  const c = compileScenario(s, v.label, v.toggles, file);
  let moves;
  try {
    moves = parsePath(opts.path, c.ix.threadNames.length);
  } catch (e) {
    throw new UsageError(`--path: ${(e as Error).message}`);
  }
  const x = await loadKernel();
  let tr;
  try {
    tr = replay(x, c, moves, file);
  } catch (e) {
    if (e instanceof ReplayError) throw new UsageError(`--path: ${e.message}`);
    const command = ['fdrace', 'replay', file, '--variant', v.label, '--path', opts.path].map(shellArg).join(' ');
    throw new InternalError(e, { file, variant: v.label, path: opts.path, command });
  }
  if (opts.json) console.log(JSON.stringify(tr, null, 1));
  else console.log(formatTrace(tr, { changesOnly: !opts.all }));
  if (!tr.violation) return EXIT.ok;
  return tr.violation.property === 'deadlock' ? EXIT.deadlock : EXIT.violation;
}
