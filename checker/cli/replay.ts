// fdrace replay FILE --variant NAME --path PATH : the trace of one given path (loom's "a run is a vector of
// choices"). A path that does not fit the scenario (a blocked or finished thread, a fault where nothing
// allocates) is a usage error naming the step.

import { readScenario } from '../load.ts';
import { Path } from '../path.ts';
import { nodeSession } from '../session-node.ts';
import type { ResolvedVariant } from '../session.ts';
import { ReplayError } from '../trace/replay.ts';
import { formatChangelog } from '../trace/changelog.ts';
import { formatTrace } from '../trace/text.ts';
import { helpText, parseArgs, type OptSpec } from './args.ts';
import { EXIT, UsageError } from './exit.ts';
import { InternalError, shellArg } from './internal.ts';

export const REPLAY_OPTIONS: Record<string, OptSpec> = {
  variant: { kind: 'string', value: 'NAME', help: 'variant (required)' },
  path: { kind: 'string', value: 'PATH', help: 'moves separated by dots: thread number, "!" = the step\'s allocation fails' },
  without: { kind: 'list', value: 'TOGGLE', help: 'switch a toggle off' },
  with: { kind: 'list', value: 'TOGGLE', help: 'switch a toggle on' },
  json: { kind: 'flag', help: 'print the Trace JSON (format 1); short for --format json' },
  format: { kind: 'string', value: 'FMT', help: 'text (default), json, or changelog (CPU0/CPU1 columns for a commit message)' },
  property: { kind: 'string', value: 'NAME', help: 'the property the path is a counterexample for (default: the first found)' },
  all: { kind: 'flag', help: 'also list steps that changed nothing visible' },
  help: { kind: 'flag', help: 'show this help' },
};
export const REPLAY_USAGE = 'usage: fdrace replay FILE.fdr --variant NAME --path PATH [--format text|json|changelog]';

export async function replayCommand(argv: string[]): Promise<number> {
  const { positional, opts } = parseArgs(argv, REPLAY_OPTIONS);
  if (opts.help) {
    console.log(helpText(REPLAY_USAGE, REPLAY_OPTIONS));
    return EXIT.ok;
  }
  if (positional.length !== 1) throw new UsageError(`replay takes exactly one scenario file\n${REPLAY_USAGE}`);
  if (typeof opts.variant !== 'string') throw new UsageError(`--variant is required\n${REPLAY_USAGE}`);
  if (typeof opts.path !== 'string') throw new UsageError(`--path is required\n${REPLAY_USAGE}`);
  const format = typeof opts.format === 'string' ? opts.format : opts.json ? 'json' : 'text';
  if (!['text', 'json', 'changelog'].includes(format)) throw new UsageError(`--format: expected text, json or changelog, got ${format}\n${REPLAY_USAGE}`);
  if (opts.json && format !== 'json') throw new UsageError(`--json is --format json; it cannot go with --format ${format}`);
  const file = positional[0]!;
  const s = readScenario(file);
  const session = nodeSession();
  let v: ResolvedVariant;
  try {
    v = session.resolve(opts.variant, (opts.without as string[]) ?? [], (opts.with as string[]) ?? []);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const c = session.compile(s, v, file);
  let path: Path;
  try {
    path = Path.parse(opts.path, c.ix.threadNames.length);
  } catch (e) {
    throw new UsageError(`--path: ${(e as Error).message}`);
  }
  let tr;
  try {
    tr = await session.replay(c, path, file, typeof opts.property === 'string' ? opts.property : undefined);
  } catch (e) {
    if (e instanceof ReplayError) throw new UsageError(`--path: ${e.message}`);
    const command = ['fdrace', 'replay', file, '--variant', v.label, '--path', opts.path].map(shellArg).join(' ');
    throw new InternalError(e, { file, variant: v.label, path: opts.path, command });
  }
  if (format === 'json') console.log(JSON.stringify(tr, null, 1));
  else if (format === 'changelog') console.log(formatChangelog(tr, { all: opts.all === true }));
  else console.log(formatTrace(tr, { changesOnly: !opts.all }));
  if (!tr.violation) return EXIT.ok;
  return tr.violation.property === 'deadlock' ? EXIT.deadlock : EXIT.violation;
}
