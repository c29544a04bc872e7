// The watch panel: scenario-language expressions ("P.fd[4] == OLD", "E has (NEW, 3)", "OLD.ref >= 2") evaluated
// in every state of the trace by the kernel, in the worker (checker/trace/watch.ts). Each shows its value at the
// selected step and the steps where it changes, like the TLA+ Toolbox's trace explorer.

import type { CheckerClient } from './checker-client.ts';
import { button, h } from './dom.ts';
import type { ViewTrace } from './validate.ts';

export interface Watches {
  element: HTMLElement;
  show(step: number): void;
}

interface Watch {
  expr: string;
  values: boolean[];
  row: HTMLLIElement;
  now: HTMLElement;
}

const MAX_WATCHES = 8;

/** Runs of equal values: "true at 0–12, false at 13–40". */
function changes(values: boolean[]): { from: number; value: boolean }[] {
  const out: { from: number; value: boolean }[] = [];
  values.forEach((v, i) => {
    if (i === 0 || values[i - 1] !== v) out.push({ from: i, value: v });
  });
  return out;
}

export function createWatches(trace: ViewTrace, client: CheckerClient, jump: (step: number) => void): Watches {
  const input = h('input', {
    id: 'watch-input',
    type: 'text',
    placeholder: 'e.g. P.fd[4] == OLD',
    'aria-label': 'Watch expression (scenario language)',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const status = h('p', { id: 'watch-status', class: 'muted', role: 'status' });
  const list = h('ul', { id: 'watch-list', class: 'watches' });
  const watches: Watch[] = [];
  let step = 0;
  const usable = trace.source !== '';

  function paint(w: Watch): void {
    const v = w.values[step];
    w.now.textContent = v === undefined ? '?' : String(v);
    w.now.className = `watch-value ${v ? 'is-true' : 'is-false'}`;
  }

  async function add(): Promise<void> {
    const expr = input.value.trim();
    if (!usable) {
      status.textContent = 'This trace carries no scenario source to evaluate expressions on.';
      return;
    }
    if (watches.length >= MAX_WATCHES) {
      status.textContent = `At most ${MAX_WATCHES} watches.`;
      return;
    }
    status.textContent = `Evaluating ${expr} at ${trace.steps.length + 1} states…`;
    let out;
    try {
      out = await client.watch(trace.source, trace.variant, trace.path, expr);
    } catch (e) {
      status.textContent = `The checker failed: ${(e as Error).message}`;
      return;
    }
    if (!out.ok) {
      status.textContent = `${expr}: ${out.error}`;
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    input.removeAttribute('aria-invalid');
    status.textContent = '';
    input.value = '';
    const now = h('strong', { class: 'watch-value' });
    const runs = changes(out.values);
    const row = h(
      'li',
      { 'data-watch': expr },
      h('code', null, expr),
      ' = ',
      now,
      h(
        'span',
        { class: 'watch-runs muted' },
        ' — ',
        ...runs.flatMap((r, i) => [
          i ? '; ' : '',
          `${r.value} from `,
          button(`step ${r.from}`, () => jump(r.from), { class: 'link', 'aria-label': `Go to step ${r.from}, where ${expr} becomes ${r.value}` }),
        ]),
      ),
      button(
        '×',
        () => {
          watches.splice(watches.indexOf(w), 1);
          row.remove();
        },
        { class: 'hide', 'aria-label': `Remove the watch ${expr}` },
      ),
    );
    const w: Watch = { expr, values: out.values, row, now };
    watches.push(w);
    list.append(row);
    paint(w);
  }

  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      void add();
    }
  });
  const element = h(
    'div',
    { class: 'watch' },
    h('h2', null, 'Watch'),
    h(
      'div',
      { class: 'watch-tools' },
      input,
      button('Add', () => void add(), { id: 'watch-add', disabled: !usable }),
    ),
    status,
    list,
  );
  return {
    element,
    show(n: number) {
      step = n;
      for (const w of watches) paint(w);
    },
  };
}
