// A small, strict option parser: every option is declared, values are validated, and anything unknown is a usage
// error naming the option (exit 2) rather than silently ignored.

import { UsageError } from './exit.ts';

export type OptKind = 'flag' | 'string' | 'int' | 'number' | 'list';

export interface OptSpec {
  kind: OptKind;
  help: string;
  /** For numbers: inclusive bounds. */
  min?: number;
  max?: number;
  value?: string;
}

export type Parsed = { positional: string[]; opts: Record<string, string | number | boolean | string[]> };

export function parseArgs(argv: string[], spec: Record<string, OptSpec>): Parsed {
  const positional: string[] = [];
  const opts: Parsed['opts'] = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '--') {
      if (a.startsWith('-') && a.length > 1) throw new UsageError(`unknown option '${a}' (options are spelled --name)`);
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (!s) {
      const known = Object.keys(spec)
        .map((k) => `--${k}`)
        .join(', ');
      throw new UsageError(`unknown option '--${name}' (known: ${known})`);
    }
    if (s.kind === 'flag') {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      opts[name] = true;
      continue;
    }
    let v: string | undefined = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined) throw new UsageError(`option --${name} needs a value (${s.value ?? s.kind})`);
    if (s.kind === 'string') opts[name] = v;
    else if (s.kind === 'list') opts[name] = [...((opts[name] as string[] | undefined) ?? []), v];
    else {
      v = v.trim();
      const n = s.kind === 'int' ? (/^\d{1,15}$/.test(v) ? Number(v) : NaN) : /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
      if (!Number.isFinite(n)) throw new UsageError(`option --${name} needs ${s.kind === 'int' ? 'a whole number' : 'a number'}, got '${v.slice(0, 40)}'`);
      if ((s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max)) {
        throw new UsageError(`option --${name} must be between ${s.min} and ${s.max}, got ${v}`);
      }
      opts[name] = n;
    }
  }
  return { positional, opts };
}

export function helpText(usage: string, spec: Record<string, OptSpec>): string {
  const rows = Object.entries(spec).map(([k, s]) => {
    const left = `  --${k}${s.kind === 'flag' ? '' : ` ${s.value ?? s.kind.toUpperCase()}`}`;
    return `${left.padEnd(28)} ${s.help}`;
  });
  return `${usage}\n\noptions:\n${rows.join('\n')}`;
}
