// fdrace variants [--json] [--faults]: the presets (release presets derived from the toggles' releases, `current`,
// the older named generations and the designs) and every toggle with its commit, release and CVE.

import { FAULT_SITES } from '../scenario/faults.ts';
import { CURRENT_RELEASE, RELEASE_PRESETS, TOGGLES, VARIANTS, changeLine, compareReleases, type VariantInfo } from '../variants.ts';
import { helpText, parseArgs } from './args.ts';
import { EXIT, UsageError } from './exit.ts';

const VARIANTS_OPTIONS = {
  json: { kind: 'flag' as const, help: 'one JSON object per preset and per toggle' },
  faults: { kind: 'flag' as const, help: 'list the fault-injection sites for `option faults SITE:N ...`' },
  help: { kind: 'flag' as const, help: 'show this help' },
};

const togglesOf = (v: VariantInfo): string[] => TOGGLES.filter((t) => v.toggles & t.bit).map((t) => t.name);

/** `fdrace variants --json`: the presets, then the toggles, as plain objects (absent fields are null). */
export function variantsJson(): object[] {
  const presets = VARIANTS.map((v) => ({
    name: v.name,
    kind: 'preset',
    release: v.release ?? null,
    base: v.base ?? null,
    description: v.doc,
    toggles: togglesOf(v),
  }));
  const toggles = TOGGLES.map((t) => ({
    name: t.name,
    kind: 'toggle',
    toggleKind: t.kind,
    bit: t.bit,
    commit: t.commit ?? null,
    title: t.title ?? null,
    release: t.release ?? null,
    cve: t.cve ?? null,
    fixes: t.fixes ?? null,
    stable: t.stable ?? [],
    scenario: t.scenario ?? null,
    description: t.doc,
  }));
  return [...presets, ...toggles];
}

function presetLines(list: VariantInfo[]): string[] {
  const w = Math.max(...list.map((v) => v.name.length));
  return list.flatMap((v) => {
    const on = togglesOf(v);
    const base = v.base ? `${v.base}${v.adds?.length ? ` + ${v.adds.join(' + ')}` : ''}; ` : '';
    return [`  ${v.name.padEnd(w)}  ${v.doc}`, `  ${''.padEnd(w)}  ${base}toggles: ${on.length ? on.join(', ') : '(none)'}`];
  });
}

export function variantsText(): string {
  const release = VARIANTS.filter((v) => RELEASE_PRESETS.includes(v.name) || v.name === 'current');
  const other = VARIANTS.filter((v) => !release.includes(v));
  const w = Math.max(...TOGGLES.map((t) => t.name.length));
  // Mainline changes in release order, then the designs (in no release).
  const toggles = [...TOGGLES].sort((a, b) => (a.release && b.release ? compareReleases(a.release, b.release) : (a.release ? 0 : 1) - (b.release ? 0 : 1)));
  return [
    `release presets (each as of its .0 release: every fix and change with that release or older; current = mainline as of ${CURRENT_RELEASE}):`,
    ...presetLines(release),
    '',
    'other presets (older generations, RFC and userspace designs):',
    ...presetLines(other),
    '',
    'toggles (use --with / --without, or PRESET~TOGGLE / PRESET+TOGGLE):',
    ...toggles.flatMap((t) => [`  ${t.name.padEnd(w)}  [${t.kind}] ${changeLine(t)}`, `  ${''.padEnd(w)}  ${t.doc}`]),
  ].join('\n');
}

export function variantsCommand(argv: string[]): number {
  const { positional, opts } = parseArgs(argv, VARIANTS_OPTIONS);
  if (opts.help) {
    console.log(helpText('usage: fdrace variants [--json] [--faults]', VARIANTS_OPTIONS));
    return EXIT.ok;
  }
  if (positional.length > 0) throw new UsageError(`variants takes no arguments, got '${positional[0]!.slice(0, 40)}'`);
  if (opts.faults) {
    if (opts.json) throw new UsageError('--faults lists fault sites as text; drop --json');
    console.log('fault sites (option faults SITE:N ...):');
    for (const f of FAULT_SITES) console.log(`  ${f.name.padEnd(22)} ${f.where}\n  ${''.padEnd(22)} on failure: ${f.effect}`);
    return EXIT.ok;
  }
  if (opts.json) for (const o of variantsJson()) console.log(JSON.stringify(o));
  else console.log(variantsText());
  return EXIT.ok;
}
