// fdrace parse FILE: the scenario's JSON form (the typed, validated Scenario).
import { readScenario } from '../load.ts';
import { EXIT, UsageError } from './exit.ts';
import { helpText, parseArgs } from './args.ts';

const PARSE_OPTIONS = { help: { kind: 'flag' as const, help: 'show this help' } };
const PARSE_USAGE = 'usage: fdrace parse FILE.fdr';

export function parseCommand(argv: string[]): number {
  const { positional, opts } = parseArgs(argv, PARSE_OPTIONS);
  if (opts.help) {
    console.log(helpText(PARSE_USAGE, PARSE_OPTIONS));
    return EXIT.ok;
  }
  if (positional.length !== 1) throw new UsageError(PARSE_USAGE);
  console.log(JSON.stringify(readScenario(argv[0]!), null, 1));
  return EXIT.ok;
}
