// fdrace command line. Every failure ends in a one-line message and a documented exit code, never a stack trace
// (set FDRACE_DEBUG=1 to see one for internal errors).

import { ScenarioError } from '../scenario/types.ts';
import { TOGGLES, VARIANTS } from '../variants.ts';
import { didYouMean } from '../suggest.ts';
import { FAULT_SITES } from '../scenario/faults.ts';
import { checkCommand } from './check.ts';
import { ciCommand } from './ci.ts';
import { verdictsCommand } from './verdicts.ts';
import { viewCommand } from './view.ts';
import { EXIT, UsageError } from './exit.ts';
import { replayCommand } from './replay.ts';
import { parseCommand } from './parse.ts';
import { helpText, parseArgs } from './args.ts';
import { InternalError, isUserError, printInternal, shellArg } from './internal.ts';
import { VariantError } from '../variants.ts';
import { mergeCommand } from './merge.ts';

const HELP = `fdrace — model checker for the Linux fd table, struct file lifetime and epoll

usage: fdrace <command> [args]

commands:
  check FILE...            explore every interleaving of each scenario on its variants; print violations with traces
  ci [FILES|DIRS]          run every scenario x variant and compare with the scenarios' result lines
  verdicts [DIRS]          write docs/verdicts.md (designs x properties) and its traces; --check compares
  view [TRACE.json]        serve the web viewer (and a trace) on 127.0.0.1: swim lanes, state, playground
  merge RESULT.json...     one verdict from the --json results of check --shard i/n (or --swarm-index j)
  replay FILE --variant V --path P   print the trace of one path
  parse FILE               print the scenario's JSON form
  variants [--faults]      list variants and toggles (--faults: the fault-injection sites)
  help                     this text

exit codes: 0 ok / as expected, 1 internal error, 2 usage or scenario error, 10 violation, 11 deadlock,
            12 incomplete (a limit stopped the search)
run 'fdrace <command> --help' for a command's options.`;

export const COMMANDS = ['check', 'ci', 'merge', 'verdicts', 'view', 'replay', 'parse', 'variants', 'help'] as const;

const VARIANTS_OPTIONS = {
  faults: { kind: 'flag' as const, help: 'list the fault-injection sites for `option faults SITE:N ...`' },
  help: { kind: 'flag' as const, help: 'show this help' },
};

function variantsCommand(argv: string[]): number {
  const { positional, opts } = parseArgs(argv, VARIANTS_OPTIONS);
  if (opts.help) {
    console.log(helpText('usage: fdrace variants [--faults]', VARIANTS_OPTIONS));
    return EXIT.ok;
  }
  if (positional.length > 0) throw new UsageError(`variants takes no arguments, got '${positional[0]!.slice(0, 40)}'`);
  if (opts.faults) {
    // Fault-injection sites for `option faults SITE:N ...` (checker/scenario/faults.ts).
    console.log('fault sites (option faults SITE:N ...):');
    for (const f of FAULT_SITES) console.log(`  ${f.name.padEnd(22)} ${f.where}\n  ${''.padEnd(22)} on failure: ${f.effect}`);
    return EXIT.ok;
  }
  console.log('variants:');
  for (const v of VARIANTS) {
    const on = TOGGLES.filter((t) => v.toggles & t.bit).map((t) => t.name);
    console.log(`  ${v.name.padEnd(10)} ${v.doc}\n  ${''.padEnd(10)} toggles: ${on.length ? on.join(', ') : '(none)'}`);
  }
  console.log('\ntoggles (use --with / --without):');
  for (const t of TOGGLES) console.log(`  ${t.name.padEnd(16)} ${t.change}\n  ${''.padEnd(16)} ${t.doc}`);
  return EXIT.ok;
}

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
