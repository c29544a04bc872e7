// The playground: write a scenario, see parse errors at line:column as you type, pick variants, run the real
// checker in a worker (progress, Cancel), and open any counterexample it finds in the viewer by replay.

import { failedProperties } from '../../checker/expected.ts';
import { parseScenario } from '../../checker/scenario/parse.ts';
import { ScenarioError, type Scenario } from '../../checker/scenario/types.ts';
import type { Progress } from '../../checker/search/options.ts';
import { formatPath, parsePath, type SearchResult } from '../../checker/search/result.ts';
import { VARIANTS, checkVariantSpec } from '../../checker/variants.ts';
import { Session } from '../../checker/session.ts';
import { kernel } from './kernel.ts';
import { Cancelled, CheckerClient } from './checker-client.ts';
import { button, clear, h } from './dom.ts';
import { splatView } from './lockdep.ts';
import type { Share } from './url.ts';

// Compiling as you type uses the same pipeline as every front end (no kernel is needed until a search runs).
const compiler = new Session({ kernel });
import type { CheckOutcome } from './worker.ts';

const EXAMPLES: Record<string, string> = import.meta.glob('../../scenarios/**/*.fdr', { query: '?raw', import: 'default', eager: true });

const DEBOUNCE_MS = 250;

export interface Playground {
  element: HTMLElement;
  setSource(text: string): void;
  /** Fix a trace's first `step` steps and search every continuation from the state they reach. */
  exploreFrom(trace: { source: string; variant: string; path: string }, step: number): void;
}

/** As the CLI prints it: "VIOLATION (follows, stale-registration)". */
function verdictText(r: SearchResult): string {
  const props = r.verdict === 'violation' || r.verdict === 'deadlock' ? failedProperties(r) : [];
  return `${r.verdict.toUpperCase()}${props.length ? ` (${props.join(', ')})` : ''}`;
}

function exampleName(path: string): string {
  return path.replace(/^(\.\.\/)*scenarios\//, '').replace(/\.fdr$/, '');
}

function numberInput(id: string, label: string, value: number, min: number, max: number): { wrap: HTMLElement; input: HTMLInputElement } {
  const input = h('input', { id, type: 'number', min, max, step: 1, value: String(value) });
  return { wrap: h('div', { class: 'field' }, h('label', { for: id }, label), input), input };
}

function readLimit(input: HTMLInputElement, fallback: number): number {
  const n = Number(input.value);
  return Number.isFinite(n) && n > 0 ? Math.min(n, Number(input.max) || n) : fallback;
}

export function createPlayground(onOpen: (share: Share) => void): Playground {
  const client = new CheckerClient();
  const source = h('textarea', { id: 'pg-source', spellcheck: 'false', rows: 28, autocomplete: 'off', 'aria-describedby': 'pg-diag' });
  const diag = h('div', { id: 'pg-diag', class: 'diag', role: 'status', 'aria-live': 'polite' });
  const example = h('select', { id: 'pg-example' }, h('option', { value: '' }, '— choose a bundled scenario —'));
  for (const path of Object.keys(EXAMPLES).sort()) example.append(h('option', { value: path }, exampleName(path)));

  // Presets, plus the variant specs the scenario names ("v6.2~ctl-del-nested-fix"), each a checkbox.
  const variantSet = h('fieldset', { id: 'pg-variants' }, h('legend', null, 'Variants'));
  let boxes: { name: string; input: HTMLInputElement }[] = [];
  function setVariants(names: string[], checked: (name: string) => boolean): void {
    boxes = names.map((name) => {
      const id = `pg-variant-${name.replace(/[^A-Za-z0-9-]/g, '_')}`;
      const input = h('input', { id, type: 'checkbox', value: name, checked: checked(name) });
      input.addEventListener('change', schedule);
      const doc = VARIANTS.find((v) => v.name === name)?.doc ?? 'named by the scenario: a preset with toggles switched off (~)';
      variantSet.append(h('div', { class: 'check' }, input, h('label', { for: id, title: doc }, name)));
      return { name, input };
    });
  }
  function offerVariants(s: Scenario, checkDeclared: boolean): void {
    const names = [...new Set([...VARIANTS.map((v) => v.name), ...s.variants])];
    if (!checkDeclared && names.join('\n') === boxes.map((b) => b.name).join('\n')) return;
    const was = new Map(boxes.map((b) => [b.name, b.input.checked]));
    variantSet.replaceChildren(h('legend', null, 'Variants'));
    setVariants(names, (n) => (checkDeclared && s.variants.length > 0 ? s.variants.includes(n) : (was.get(n) ?? false)));
  }
  setVariants(
    VARIANTS.map((v) => v.name),
    () => true,
  );
  const maxStates = numberInput('pg-max-states', 'Max states', 1_000_000, 1, 100_000_000);
  const timeout = numberInput('pg-timeout', 'Timeout (s)', 60, 1, 3600);
  const run = h('button', { type: 'button', id: 'pg-run', class: 'primary' }, 'Run');
  const cancel = h('button', { type: 'button', id: 'pg-cancel', disabled: true }, 'Cancel');
  const progress = h('div', { id: 'pg-progress', role: 'status', 'aria-live': 'polite' });
  const results = h('ol', { id: 'pg-results', class: 'results', 'aria-label': 'Results' });

  let timer: ReturnType<typeof setTimeout> | undefined;
  let parsed: Scenario | null = null;

  function showError(e: ScenarioError): void {
    const lines = source.value.split(/\r?\n/);
    const line = lines[e.loc.line - 1] ?? '';
    const goto = button(
      `${e.loc.line}:${e.loc.col}`,
      () => {
        let at = 0;
        for (let i = 0; i < e.loc.line - 1 && i < lines.length; i++) at += lines[i]!.length + 1;
        at += Math.max(0, e.loc.col - 1);
        source.focus();
        source.setSelectionRange(at, at);
      },
      { class: 'link loc', 'aria-label': `Go to line ${e.loc.line}, column ${e.loc.col}` },
    );
    clear(diag);
    diag.className = 'diag error';
    diag.append(h('div', null, 'error at ', goto, `: ${e.message}`), h('pre', { class: 'excerpt' }, `${line}\n${' '.repeat(Math.max(0, e.loc.col - 1))}^`));
    source.setAttribute('aria-invalid', 'true');
  }

  function check(): Scenario | null {
    try {
      const s = parseScenario(source.value, 'playground.fdr', { variants: checkVariantSpec });
      // Model limits (files, threads, slots) are only known to the compiler.
      offerVariants(s, false);
      for (const b of boxes) if (b.input.checked) compiler.compile(s, compiler.resolve(b.name), 'playground.fdr');
      clear(diag);
      diag.className = 'diag ok';
      diag.append(
        `ok: scenario ${s.name}, ${s.threads.length} thread(s), ${s.expectations.length} expectation(s); states its result on ${s.variants.join(', ') || 'no variant'}`,
      );
      source.removeAttribute('aria-invalid');
      parsed = s;
      return s;
    } catch (e) {
      parsed = null;
      if (e instanceof ScenarioError) showError(e);
      else {
        clear(diag);
        diag.className = 'diag error';
        diag.append(`error: ${(e as Error).message}`);
      }
      return null;
    }
  }

  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  }

  function setSource(text: string): void {
    source.value = text;
    const s = check();
    if (s) offerVariants(s, true);
  }

  function resultItem(variant: string, out: CheckOutcome, text: string): HTMLElement {
    if (!out.ok) return h('li', { class: 'result error', 'data-variant': variant }, h('strong', null, variant), `: error: ${out.error}`);
    const r = out.result;
    const st = r.stats;
    const li = h(
      'li',
      { class: `result verdict-${r.verdict}`, 'data-variant': variant },
      h('strong', null, variant),
      `: ${verdictText(r)} — expected ${out.expected}: `,
      h('span', { class: out.matches ? 'as-expected' : 'differs' }, out.matches ? 'as expected' : 'differs'),
      h(
        'div',
        { class: 'muted' },
        `${st.states.toLocaleString('en')} states, ${st.transitions.toLocaleString('en')} transitions, depth ${st.maxDepth}, ${st.seconds.toFixed(2)} s${r.incomplete ? `; stopped: ${r.incomplete}` : ''}`,
      ),
    );
    const list = h('ul', { class: 'violations' });
    for (const v of r.violations) {
      // No path to replay: an inversion found in the lock graph (shown as lockdep's report), or a `sometimes`.
      if (v.splat !== undefined) {
        list.append(h('li', { class: 'inversion' }, `${v.property}: ${v.message}`, splatView(v.splat)));
        continue;
      }
      if (v.kind === 'sometimes') {
        list.append(h('li', null, `${v.property}: ${v.message}`));
        continue;
      }
      list.append(
        h(
          'li',
          null,
          // A property can fail in several kinds (stale-registration.at-end and .at-return): the kind tells them apart.
          button(`Open counterexample: ${v.qualified ?? v.property}`, () => onOpen({ source: text, variant: r.variant, path: v.path, prop: v.property }), {
            class: 'open-cex',
            'aria-label': `Open the counterexample of ${v.qualified ?? v.property} on ${variant} (${v.steps} steps)`,
          }),
          ` ${v.message} (${v.steps} steps)`,
        ),
      );
    }
    if (r.violations.length) li.append(list);
    return li;
  }

  async function runAll(): Promise<void> {
    const s = check() ?? parsed;
    if (!s) {
      progress.textContent = 'Fix the scenario first.';
      return;
    }
    const variants = boxes.filter((b) => b.input.checked).map((b) => b.name);
    if (variants.length === 0) {
      progress.textContent = 'Pick at least one variant.';
      return;
    }
    const text = source.value;
    const limits = {
      maxStates: readLimit(maxStates.input, 1_000_000),
      timeoutSeconds: readLimit(timeout.input, 60),
      maxMemoryBytes: 1024 * 1024 * 1024,
    };
    clear(results);
    run.disabled = true;
    cancel.disabled = false;
    const t0 = performance.now();
    try {
      for (const [i, variant] of variants.entries()) {
        const head = `Checking ${s.name} on ${variant} (${i + 1} of ${variants.length})`;
        progress.textContent = `${head}…`;
        const onProgress = (p: Progress): void => {
          progress.textContent = `${head}: ${p.states.toLocaleString('en')} states, frontier ${p.frontier.toLocaleString('en')}, depth ${p.depth}, ${p.seconds.toFixed(1)} s`;
        };
        const out = await client.check(text, variant, limits, onProgress);
        results.append(resultItem(variant, out, text));
      }
      progress.textContent = `Done: ${variants.length} variant(s) in ${((performance.now() - t0) / 1000).toFixed(2)} s.`;
    } catch (e) {
      progress.textContent =
        e instanceof Cancelled ? `Cancelled after ${((performance.now() - t0) / 1000).toFixed(1)} s.` : `The checker failed: ${(e as Error).message}`;
    } finally {
      run.disabled = false;
      cancel.disabled = true;
    }
  }

  const explore = h('section', { id: 'pg-explore', class: 'explore', hidden: true, 'aria-label': 'Explore from a trace step' });

  function exploreFrom(trace: { source: string; variant: string; path: string }, step: number): void {
    setSource(trace.source);
    const all = parsePath(trace.path, 1 << 8);
    const prefix = formatPath(all.slice(0, step));
    const status = h('p', { id: 'pg-explore-status', role: 'status', 'aria-live': 'polite' });
    const found = h('ul', { id: 'pg-explore-results', class: 'violations' });
    const go = button('Search from here', () => void runExplore(), { id: 'pg-explore-run', class: 'primary' });
    const stop = button('Cancel', () => client.cancel(), { id: 'pg-explore-cancel', disabled: true });
    clear(explore);
    explore.hidden = false;
    explore.append(
      h('h2', null, `Explore from step ${step}`),
      h(
        'p',
        null,
        `The first ${step} step${step === 1 ? '' : 's'} of the trace are fixed (path `,
        h('code', { id: 'pg-explore-prefix' }, prefix || '(empty)'),
        `) on ${trace.variant}; every continuation from the state they reach is searched, with the limits below.`,
      ),
      h('div', { class: 'buttons' }, go, stop),
      status,
      found,
    );
    async function runExplore(): Promise<void> {
      clear(found);
      go.disabled = true;
      stop.disabled = false;
      status.textContent = 'Searching…';
      try {
        const out = await client.explore(
          trace.source,
          trace.variant,
          prefix,
          { maxStates: readLimit(maxStates.input, 1_000_000), timeoutSeconds: readLimit(timeout.input, 60) },
          (n, f) => {
            status.textContent = `Searching: ${n.toLocaleString('en')} states, frontier ${f.toLocaleString('en')}…`;
          },
        );
        if (!out.ok) {
          status.textContent = `error: ${out.error}`;
          return;
        }
        const r = out.result;
        status.textContent = `${r.findings.length ? `${r.findings.length} finding(s)` : 'No violation'} in ${r.states.toLocaleString('en')} states, ${r.transitions.toLocaleString('en')} transitions from step ${step}, ${r.seconds.toFixed(2)} s${r.incomplete ? `; stopped: ${r.incomplete}` : '; every continuation explored'}.`;
        for (const v of r.findings) {
          found.append(
            h(
              'li',
              { 'data-property': v.property },
              button(`Open counterexample: ${v.property}`, () => onOpen({ source: trace.source, variant: trace.variant, path: v.path, prop: v.property }), {
                class: 'open-cex',
                'aria-label': `Open the counterexample of ${v.property} found from step ${step} (${v.extra} more steps)`,
              }),
              ` ${v.message} (${v.extra} steps after step ${step})`,
            ),
          );
        }
      } catch (e) {
        status.textContent = e instanceof Cancelled ? 'Cancelled.' : `The checker failed: ${(e as Error).message}`;
      } finally {
        go.disabled = false;
        stop.disabled = true;
      }
    }
    explore.scrollIntoView({ block: 'nearest' });
  }

  source.addEventListener('input', schedule);
  example.addEventListener('change', () => {
    const text = EXAMPLES[example.value];
    if (text !== undefined) setSource(text);
  });
  run.addEventListener('click', () => void runAll());
  cancel.addEventListener('click', () => client.cancel());

  const element = h(
    'div',
    { class: 'playground' },
    h(
      'div',
      { class: 'pg-edit' },
      h('div', { class: 'field' }, h('label', { for: 'pg-example' }, 'Example'), example),
      h('label', { for: 'pg-source', class: 'block' }, 'Scenario source (.fdr)'),
      source,
      diag,
    ),
    h(
      'div',
      { class: 'pg-run' },
      variantSet,
      h('fieldset', null, h('legend', null, 'Limits'), maxStates.wrap, timeout.wrap),
      h('div', { class: 'buttons' }, run, cancel),
      progress,
      results,
      explore,
    ),
  );
  return { element, setSource, exploreFrom };
}
