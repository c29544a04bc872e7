// fdrace command line. Every failure ends in a one-line message and a documented exit code, never a stack trace
// (set FDRACE_DEBUG=1 to see one for internal errors).

import { ScenarioError } from '../scenario/types.ts';
import { TOGGLES, VARIANTS } from '../variants.ts';
import { FAULT_SITES } from '../scenario/faults.ts';
import { checkCommand } from './check.ts';
import { ciCommand } from './ci.ts';
import { verdictsCommand } from './verdicts.ts';
import { viewCommand } from './view.ts';
import { EXIT, UsageError } from './exit.ts';
import { replayCommand } from './replay.ts';
import { parseCommand } from './parse.ts';

const HELP = `fdrace — model checker for the Linux fd table, struct file lifetime and epoll

usage: fdrace <command> [args]

commands:
  check FILE...            explore every interleaving of each scenario on its variants; print violations with traces
  ci [FILES|DIRS]          run every scenario x variant and compare with the scenarios' result lines
  verdicts [DIRS]          write docs/verdicts.md (designs x properties) and its traces; --check compares
  view [TRACE.json]        serve the web viewer (and a trace) on 127.0.0.1: swim lanes, state, playground
  replay FILE --variant V --path P   print the trace of one path
  parse FILE               print the scenario's JSON form
  variants [--faults]      list variants and toggles (--faults: the fault-injection sites)
  help                     this text

exit codes: 0 ok / as expected, 1 internal error, 2 usage or scenario error, 10 violation, 11 deadlock,
            12 incomplete (a limit stopped the search)
run 'fdrace <command> --help' for a command's options.`;

function variantsCommand(args: string[] = []): number {
  if (args.includes('--faults')) {
    // Fault-injection sites for `option faults SITE:N ...` (checker/scenario/faults.ts).
    console.log('fault sites (option faults SITE:N ...):');
    for (const f of FAULT_SITES) console.log(`  ${f.name.padEnd(22)} ${f.where}\n  ${''.padEnd(22)} on failure: ${f.effect}`);
    return EXIT.ok;
  }
  const unknown = args.find((a) => a !== '--faults');
  if (unknown !== undefined) throw new UsageError(`unknown option '${unknown}' for variants (options: --faults)`);
  console.log('variants:');
  for (const v of VARIANTS) {
    const on = TOGGLES.filter((t) => v.toggles & t.bit).map((t) => t.name);
    console.log(`  ${v.name.padEnd(10)} ${v.doc}\n  ${''.padEnd(10)} toggles: ${on.length ? on.join(', ') : '(none)'}`);
  }
  console.log('\ntoggles (use --with / --without):');
  for (const t of TOGGLES) console.log(`  ${t.name.padEnd(16)} ${t.change}\n  ${''.padEnd(16)} ${t.doc}`);
  return EXIT.ok;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'check': return await checkCommand(rest);
      case 'ci': return await ciCommand(rest);
      case 'verdicts': return await verdictsCommand(rest);
      case 'view': return await viewCommand(rest);
      case 'replay': return await replayCommand(rest);
      case 'parse': return parseCommand(rest);
      case 'variants': return variantsCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(HELP);
        return cmd === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command '${cmd}' (commands: check, ci, replay, parse, variants, help)`);
    }
  } catch (e) {
    if (e instanceof ScenarioError) {
      console.error(e.format());
      return EXIT.usage;
    }
    if (e instanceof UsageError) {
      console.error(`fdrace: ${e.message}`);
      return EXIT.usage;
    }
    console.error(`fdrace: internal error: ${(e as Error).message}`);
    if (process.env.FDRACE_DEBUG) console.error((e as Error).stack);
    return EXIT.internal;
  }
}
