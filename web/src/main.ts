// The viewer's entry: where a trace comes from (file, drop, ?trace=, or the hash's scenario+variant+path replayed
// here), which step is selected (kept in the hash), and keyboard navigation. Rendering lives in lanes.ts,
// state-panel.ts and explain.ts; the playground in playground.ts.

import { formatChangelog } from '../../checker/trace/changelog.ts';
import { CheckerClient } from './checker-client.ts';
import { button, byId, clear, h } from './dom.ts';
import { DeriveError, deriveTrace } from './derive.ts';
import { renderExplanation } from './explain.ts';
import { renderLanes, type Lanes } from './lanes.ts';
import { traceFromFile, traceFromUrl } from './load.ts';
import { createPlayground, type Playground } from './playground.ts';
import { renderState, type PanelOptions } from './state-panel.ts';
import { sourcesFor } from './source-ref.ts';
import { LinkError, MAX_HASH, compress, decompress, formatHash, parseHash, type Share } from './url.ts';
import { LIMITS, TraceError, parseTraceText, validateTrace, type ViewTrace } from './validate.ts';
import { createWatches, type Watches } from './watch.ts';

type View = 'landing' | 'trace' | 'playground';

interface Current {
  trace: ViewTrace;
  /** Where it came from: a ?trace= URL keeps only the step in the hash; the others get a full share link. */
  origin: 'url' | 'file' | 'link' | 'embedded';
  /** Compressed scenario for the share link, once computed (null: the trace has no usable source). */
  src: string | null;
  /** The whole trace compressed, for "link with the trace", computed on demand (null: too large for a link). */
  packed: Promise<string | null> | null;
  lanes: Lanes;
  watches: Watches;
}

/** Where share links point: `fdrace view --base-url` / FDRACE_VIEWER_URL write it into the page's meta tag;
 *  otherwise this page's own address (which works from any static host, and from file:// for this machine). */
function baseUrl(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="fdrace-base-url"]')?.content.trim() ?? '';
  if (/^https?:\/\/[^\s#]+$/.test(meta)) return meta;
  return location.href.split('#')[0]!.split('?')[0]!;
}

const linkClient = new CheckerClient();

const message = byId('message');
const busy = byId('busy');
const views: Record<View, HTMLElement> = { landing: byId('landing'), trace: byId('viewer'), playground: byId('playground') };
const tabs = { trace: byId<HTMLButtonElement>('tab-trace'), playground: byId<HTMLButtonElement>('tab-playground') };
const changedOnly = byId<HTMLInputElement>('changed-only');
const panel: PanelOptions = { changedOnly: false, hidden: new Set() };

let current: Current | null = null;
let step = 0;
let view: View = 'landing';
let playground: Playground | null = null;
/** Hash last written by the page itself, so our own replaceState/pushState is not mistaken for navigation. */
let ownHash = '';
let loadSeq = 0;

function say(text: string): void {
  message.textContent = text;
  message.hidden = text === '';
  if (text !== '') message.scrollIntoView({ block: 'nearest' });
}

function showView(v: View): void {
  view = v;
  for (const [k, el] of Object.entries(views)) el.hidden = k !== v;
  tabs.trace.setAttribute('aria-pressed', String(v === 'trace'));
  tabs.playground.setAttribute('aria-pressed', String(v === 'playground'));
  tabs.trace.disabled = current === null;
  if (v === 'playground' && !playground) {
    playground = createPlayground((share) => void openShare(share, true));
    views.playground.append(playground.element);
  }
}

function errorText(e: unknown): string {
  if (e instanceof TraceError || e instanceof LinkError || e instanceof DeriveError) return e.message;
  return `unexpected error: ${(e as Error)?.message ?? String(e)}`;
}

function writeHash(push = false): void {
  let hash: string;
  if (view === 'playground') hash = formatHash({ view: 'playground' });
  else if (!current) hash = '';
  else if (current.origin === 'embedded') hash = formatHash({ step });
  else if (current.origin !== 'url' && current.src !== null) {
    hash = formatHash({ src: current.src, variant: current.trace.variant, path: current.trace.path, prop: current.trace.violation?.property, step });
  } else hash = formatHash({ step });
  ownHash = hash;
  const url = `${location.pathname}${location.search}${hash ? `#${hash}` : ''}`;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
  updateShareLink();
}

function shareUrl(): string | null {
  if (!current || current.src === null) return null;
  const hash = formatHash({ src: current.src, variant: current.trace.variant, path: current.trace.path, prop: current.trace.violation?.property, step });
  return `${baseUrl()}#${hash}`;
}

async function traceUrl(): Promise<string | null> {
  if (!current) return null;
  current.packed ??= compress(JSON.stringify(current.trace)).catch(() => null);
  const packed = await current.packed;
  if (packed === null || packed.length > MAX_HASH - 100) return null;
  return `${baseUrl()}#${formatHash({ trace: packed, step })}`;
}

function updateShareLink(): void {
  const input = document.getElementById('share-link') as HTMLInputElement | null;
  if (!input) return;
  const url = shareUrl();
  input.value = url ?? '';
  input.placeholder = url ? '' : 'no shareable link: the trace carries no scenario source';
}

function renderSummary(t: ViewTrace): HTMLElement {
  const link = h('input', { id: 'share-link', type: 'text', readonly: true, 'aria-label': 'Shareable link (re-derives this trace by replay)' });
  const copy = button(
    'Copy link',
    () => {
      link.select();
      void navigator.clipboard?.writeText(link.value).catch(() => undefined);
    },
    { id: 'copy-link' },
  );
  const copyTrace = button(
    'Copy link with the trace',
    () => {
      void traceUrl().then((url) => {
        if (url === null) {
          say('This trace is too large to carry in a link; share the path link instead.');
          return;
        }
        link.value = url;
        link.select();
        void navigator.clipboard?.writeText(url).catch(() => undefined);
      });
    },
    { id: 'copy-trace-link' },
  );
  // Drawn when first wanted (it walks every step of the trace).
  const pre = h('pre', { id: 'changelog-text', class: 'changelog' });
  let changelog: string | null = null;
  const draw = (): string => {
    if (changelog === null) pre.textContent = changelog = formatChangelog(t);
    return changelog;
  };
  const copyText = button(
    'Copy as text',
    () => {
      void navigator.clipboard?.writeText(draw()).catch(() => undefined);
      const range = document.createRange();
      range.selectNodeContents(pre);
      const sel = getSelection();
      sel?.removeAllRanges();
      sel?.addRange(range);
      details.open = true;
    },
    { id: 'copy-changelog', 'aria-label': 'Copy the CPU0/CPU1 diagram as text (for a commit message)' },
  );
  const details = h('details', { id: 'changelog' }, h('summary', null, 'CPU0/CPU1 diagram for a commit message'), pre);
  details.addEventListener('toggle', () => {
    if (details.open) draw();
  });
  const v = t.violation;
  return h(
    'div',
    { class: 'summary' },
    h('h2', { id: 'trace-title' }, t.title || t.scenario),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'scenario'),
      h('dd', { id: 'fact-scenario' }, t.scenario),
      h('dt', null, 'variant'),
      h('dd', { id: 'fact-variant' }, t.variant),
      h('dt', null, 'path'),
      h('dd', { id: 'fact-path' }, h('code', null, t.path || '(empty)')),
      h('dt', null, 'steps'),
      h('dd', { id: 'fact-steps' }, String(t.steps.length)),
      h('dt', null, 'result'),
      h('dd', { id: 'fact-result' }, v ? `${v.property === 'deadlock' ? 'DEADLOCK' : 'VIOLATION'} ${v.property} at step ${v.step}` : 'no violation'),
    ),
    h(
      'div',
      { class: 'toolbar' },
      button('Jump to violation (v)', () => jumpToViolation(), { id: 'jump-violation', disabled: v === null }),
      button(
        'Open in playground',
        () => {
          showView('playground');
          playground?.setSource(t.source);
          writeHash();
        },
        { id: 'to-playground', disabled: t.source === '' },
      ),
      button(
        'Explore from here',
        () => {
          showView('playground');
          playground?.exploreFrom({ source: t.source, variant: t.variant, path: t.path }, step);
          writeHash();
        },
        { id: 'explore-here', disabled: t.source === '', 'aria-label': 'Explore from the selected step: search every continuation of this prefix' },
      ),
      link,
      copy,
      copyTrace,
      copyText,
    ),
    details,
  );
}

function renderHidden(): void {
  const bar = byId('hidden-objects');
  clear(bar);
  if (panel.hidden.size === 0) return;
  bar.append('Hidden: ');
  for (const id of panel.hidden) {
    bar.append(
      button(
        `${id.replace('/', ' ')} ×`,
        () => {
          panel.hidden.delete(id);
          renderPanels();
        },
        { class: 'chip', 'aria-label': `Show ${id.replace('/', ' ')} again` },
      ),
    );
  }
  bar.append(
    button(
      'show all',
      () => {
        panel.hidden.clear();
        renderPanels();
      },
      { class: 'link', id: 'show-all' },
    ),
  );
}

function renderPanels(): void {
  if (!current) return;
  const body = byId('state-body');
  clear(body);
  body.append(
    renderState(current.trace, step, panel, (id) => {
      panel.hidden.add(id);
      renderPanels();
    }),
  );
  byId('state-title').textContent = step === 0 ? 'State: initial' : `State after step ${step}`;
  renderHidden();
  const ex = byId('explain');
  ex.classList.toggle('at-violation', current.trace.violation?.step === step);
  current.watches.show(step);
}

let hashTimer: ReturnType<typeof setTimeout> | undefined;

function select(n: number, opts: { hash?: boolean } = {}): void {
  if (!current) return;
  step = Math.max(0, Math.min(n, current.trace.steps.length));
  current.lanes.select(step);
  renderPanels();
  if (opts.hash === false) return;
  // Holding a key down steps many times a second; the hash (history.replaceState) follows once it settles.
  clearTimeout(hashTimer);
  hashTimer = setTimeout(() => writeHash(), 60);
}

function jumpToViolation(): void {
  const v = current?.trace.violation;
  if (v) select(v.step);
}

async function openTrace(trace: ViewTrace, origin: Current['origin'], at: number | null, push = false): Promise<void> {
  performance.mark('fdrace-open');
  const lanes = renderLanes(trace, (n) => select(n), sourcesFor(trace.variant));
  lanes.element.addEventListener('keydown', onKey);
  const watches = createWatches(trace, linkClient, (n) => select(n));
  current = { trace, origin, src: null, packed: null, lanes, watches };
  clear(byId('watch'));
  byId('watch').append(watches.element);
  panel.hidden.clear();
  say('');
  showView('trace');
  clear(byId('summary'));
  byId('summary').append(renderSummary(trace));
  clear(byId('lanes'));
  byId('lanes').append(lanes.element);
  const ex = byId('explain');
  clear(ex);
  ex.append(renderExplanation(trace, (n) => select(n)));
  const mine = current;
  // The lanes take the keys: focus them (without scrolling the page) so j/k work at once.
  lanes.element.focus({ preventScroll: true });
  select(at ?? trace.violation?.step ?? 0, { hash: false });
  performance.measure('fdrace-opened', 'fdrace-open');
  if (trace.source !== '') {
    try {
      mine.src = await compress(trace.source);
    } catch {
      mine.src = null;
    }
  }
  if (current !== mine) return;
  writeHash(push);
}

const progress = h('progress', { id: 'busy-progress', max: 1, value: 0, 'aria-label': 'Replay progress' });

function showProgress(done: number, total: number): void {
  progress.max = Math.max(1, total);
  progress.value = done;
  progress.hidden = false;
}

async function guard(what: string, work: () => Promise<void>): Promise<void> {
  const seq = ++loadSeq;
  busy.textContent = what;
  progress.hidden = true;
  busy.append(' ', progress);
  try {
    await work();
  } catch (e) {
    if (seq === loadSeq) say(current && view === 'trace' ? `${errorText(e)}\n(still showing the trace opened before)` : errorText(e));
  } finally {
    if (seq === loadSeq) busy.textContent = '';
  }
}

/** Replay a link's path in the worker (progress shown, the tab stays responsive); where no worker can start,
 *  on this thread with the same step limit. */
async function derive(share: Share): Promise<ViewTrace> {
  let out;
  try {
    out = await linkClient.derive(share, showProgress);
  } catch (e) {
    if (/worker/.test((e as Error).message)) return deriveTrace(share, showProgress);
    throw e;
  }
  if (out.ok) return out.trace;
  throw out.derive ? new DeriveError(out.error) : new Error(out.error);
}

function openShare(share: Share, push = false, at: number | null = null): Promise<void> {
  return guard('Replaying the counterexample…', async () => {
    const trace = await derive(share);
    await openTrace(trace, 'link', at, push);
  });
}

function openFile(file: File): Promise<void> {
  return guard(`Reading ${file.name}…`, async () => openTrace(await traceFromFile(file), 'file', null, true));
}

/** Follow the hash: a view switch, a new share link to replay, or just another step. */
async function route(initial: boolean): Promise<void> {
  const raw = location.hash.replace(/^#/, '');
  if (!initial && raw === ownHash) return;
  let hs;
  try {
    hs = parseHash(raw);
  } catch (e) {
    say(errorText(e));
    return;
  }
  if (hs.view === 'playground') {
    showView('playground');
    ownHash = raw;
    return;
  }
  if (hs.share) {
    const same = current && current.src === hs.share.src && current.trace.variant === hs.share.variant && current.trace.path === hs.share.path;
    if (same) {
      showView('trace');
      select(hs.step ?? step);
      return;
    }
    const link = hs.share;
    await guard('Replaying the counterexample from the link…', async () => {
      const source = await decompress(link.src);
      const trace = await derive({ source, variant: link.variant, path: link.path, ...(link.prop ? { prop: link.prop } : {}) });
      await openTrace(trace, 'link', hs.step);
    });
    return;
  }
  if (hs.trace !== null) {
    const packed = hs.trace;
    if (current && current.origin === 'embedded' && (await current.packed) === packed) {
      showView('trace');
      if (hs.step !== null) select(hs.step);
      return;
    }
    await guard('Unpacking the trace from the link…', async () => {
      let text: string;
      try {
        text = await decompress(packed, LIMITS.bytes);
      } catch (e) {
        throw new LinkError((e as Error).message.replace("link's scenario", "link's trace").replace('its scenario', 'its trace'));
      }
      let trace: ViewTrace;
      try {
        trace = parseTraceText(text);
      } catch (e) {
        const at = e instanceof TraceError && e.loc ? ` at ${e.loc.line}:${e.loc.col}` : '';
        throw new LinkError(`the link's trace is not a valid trace${at}: ${(e as Error).message}`);
      }
      await openTrace(trace, 'embedded', hs.step);
      if (current) current.packed = Promise.resolve(packed);
    });
    return;
  }
  const q = new URLSearchParams(location.search).get('trace');
  if (initial && q !== null) {
    await guard('Loading the trace…', async () => openTrace(await traceFromUrl(q), 'url', hs.step));
    return;
  }
  if (current) {
    showView('trace');
    if (hs.step !== null) select(hs.step);
    return;
  }
  showView('landing');
}

/** Step keys, attached to the lanes only: elsewhere (the state panel, a text field) the arrows scroll and type
 *  as usual. */
function onKey(ev: KeyboardEvent): void {
  if (view !== 'trace' || !current || ev.altKey || ev.ctrlKey || ev.metaKey) return;
  const t = ev.target as HTMLElement | null;
  if (t?.closest('input, textarea, select, [contenteditable="true"]')) return;
  if (t?.closest('a') && ev.key === 'Enter') return;
  const last = current.trace.steps.length;
  const moves: Record<string, () => number | null> = {
    j: () => step + 1,
    ArrowDown: () => step + 1,
    ArrowRight: () => step + 1,
    k: () => step - 1,
    ArrowUp: () => step - 1,
    ArrowLeft: () => step - 1,
    Home: () => 0,
    End: () => last,
    v: () => current?.trace.violation?.step ?? null,
  };
  const m = moves[ev.key];
  if (!m) return;
  ev.preventDefault();
  const n = m();
  if (n !== null) select(n);
}

function init(): void {
  const input = byId<HTMLInputElement>('file-input');
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    if (f) void openFile(f);
    input.value = '';
  });
  document.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  document.addEventListener('drop', (ev) => {
    ev.preventDefault();
    document.body.classList.remove('dragging');
    const f = ev.dataTransfer?.files[0];
    if (f) void openFile(f);
  });
  changedOnly.addEventListener('change', () => {
    panel.changedOnly = changedOnly.checked;
    renderPanels();
  });
  tabs.trace.addEventListener('click', () => {
    if (!current) return;
    showView('trace');
    writeHash();
  });
  tabs.playground.addEventListener('click', () => {
    showView('playground');
    writeHash();
  });
  (window as unknown as { fdrace: unknown }).fdrace = {
    /** For harnesses embedding the viewer: open a Trace JSON value (validated like a file). */
    open: (x: unknown) => openTrace(validateTrace(x), 'file', null),
  };
  window.addEventListener('hashchange', () => void route(false));
  say('');
  void route(true);
}

init();
