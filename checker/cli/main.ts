// fdrace command line. Every failure ends in a one-line message and a documented exit code, never a stack trace
// (set FDRACE_DEBUG=1 to see one for internal errors).

import { ScenarioError } from '../scenario/types.ts';
import { didYouMean } from '../suggest.ts';
import { variantsCommand } from './variants.ts';
import { affectedCommand } from './affected.ts';
import { historyCommand } from './history.ts';
import { checkCommand } from './check.ts';
import { ciCommand } from './ci.ts';
import { verdictsCommand } from './verdicts.ts';
import { viewCommand } from './view.ts';
import { EXIT, UsageError } from './exit.ts';
import { replayCommand } from './replay.ts';
import { parseCommand } from './parse.ts';
import { InternalError, isUserError, printInternal, shellArg } from './internal.ts';
import { VariantError } from '../variants.ts';
import { mergeCommand } from './merge.ts';

const HELP = `fdrace — model checker for the Linux fd table, struct file lifetime and epoll

usage: fdrace <command> [args]

commands:
  check FILE...            explore every interleaving of each scenario on its variants; print violations with traces
  ci [FILES|DIRS]          run every scenario x variant and compare with the scenarios' result lines
  affected FILE...         each scenario on every release preset (v4.19 .. v6.18, current); --bisect: the fixing toggle
  verdicts [DIRS]          write docs/verdicts.md (designs x properties) and its traces; --check compares
  history [--write|--check] write docs/history.md (fixes and changes as toggles, verdicts without/with); --check compares
  view [TRACE.json]        serve the web viewer (and a trace) on 127.0.0.1: swim lanes, state, playground
  merge RESULT.json...     one verdict from the --json results of check --shard i/n (or --swarm-index j)
  replay FILE --variant V --path P   print the trace of one path
  parse FILE               print the scenario's JSON form
  variants [--json]        list presets and toggles (--json: as data; --faults: the fault-injection sites)
  help                     this text

exit codes: 0 ok / as expected, 1 internal error, 2 usage or scenario error, 10 violation, 11 deadlock,
            12 incomplete (a limit stopped the search)
run 'fdrace <command> --help' for a command's options.`;

export const COMMANDS = ['check', 'ci', 'affected', 'history', 'merge', 'verdicts', 'view', 'replay', 'parse', 'variants', 'help'] as const;

/** Status when stdout's reader went away (`fdrace check X | head`): what a process killed by SIGPIPE reports. */
export const EXIT_EPIPE = 141;

/** A closed pipe on stdout ends the run quietly (no stack trace); stderr errors are ignored. */
export function quietOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') process.exit(EXIT_EPIPE);
    throw e;
  });
  process.stderr.on('error', () => {});
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'check':
        return await checkCommand(rest);
      case 'ci':
        return await ciCommand(rest);
      case 'affected':
        return await affectedCommand(rest);
      case 'history':
        return await historyCommand(rest);
      case 'verdicts':
        return await verdictsCommand(rest);
      case 'view':
        return await viewCommand(rest);
      case 'replay':
        return await replayCommand(rest);
      case 'merge':
        return mergeCommand(rest);
      case 'parse':
        return parseCommand(rest);
      case 'variants':
        return variantsCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(HELP);
        return cmd === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command '${cmd}'${didYouMean(cmd, COMMANDS)} (commands: ${COMMANDS.join(', ')})`);
    }
  } catch (e) {
    if (e instanceof ScenarioError) {
      console.error(e.format());
      return EXIT.usage;
    }
    if (e instanceof UsageError || e instanceof VariantError || isUserError(e)) {
      console.error(`fdrace: ${(e as Error).message}`);
      return EXIT.usage;
    }
    printInternal(e, { command: ['fdrace', ...argv].map(shellArg).join(' '), ...(e instanceof InternalError ? e.repro : {}) });
    return EXIT.internal;
  }
}
