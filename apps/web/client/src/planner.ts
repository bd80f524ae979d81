import { Connection, gql, nodes } from './api';
import { downloadText, h, notice, onLeave, svg } from './dom';

/**
 * The planner's screen: reorder suggestions per location (sortable, CSV export), a product's
 * forecast drawn against its history with the q10..q90 band shaded, the serving model, and retraining.
 */
interface ReorderLine {
  gtin: string; productName: string | null; location: string; onHand: number; inTransit: number; reorderPoint: number | null;
  orderUpToLevel: number | null; orderQuantity: number | null; reorderNow: boolean | null; method: string | null; forecastDigest: string | null; problem: string | null;
}
interface Period { period: string; q10: number; q50: number; q90: number }
interface Forecast { method: string; fittedModel: string; reason: string; notes: string[]; modelVersion: string; backend: string | null; historyThrough: string; validation: Array<{ method: string; mase: number | null }>; periods: Period[]; digest: string }
interface Model { loaded: boolean; backend: string; version: string | null; trainedOn: string | null; createdAt: string | null; trainingFirstMonth: string | null; trainingLastMonth: string | null; trainingSeries: number | null; trainingSeconds: number | null; validationPinball: number | null; validationMase: number | null }
interface Job { id: string; status: string; phase: string; percent: number; message: string | null; modelVersion: string | null }

const REORDER = `query($l: String) { reorderSuggestions(location: $l, first: 100) { edges { node { gtin productName location onHand inTransit reorderPoint orderUpToLevel orderQuantity reorderNow method forecastDigest problem } } } }`;
const FORECAST = `query($g: String!, $l: String) {
  forecast(gtin: $g, location: $l, horizon: 12) { method fittedModel reason notes modelVersion backend historyThrough validation { method mase } periods { period q10 q50 q90 } digest }
  demandHistory(gtin: $g, location: $l, last: 36) { points { period quantity } } }`;
const MODEL = `{ model { loaded backend version trainedOn createdAt trainingFirstMonth trainingLastMonth trainingSeries trainingSeconds validationPinball validationMase } }`;

type Column = { key: keyof ReorderLine; label: string; numeric?: boolean };
const COLUMNS: Column[] = [
  { key: 'productName', label: 'Product' }, { key: 'gtin', label: 'GTIN' }, { key: 'location', label: 'Location' },
  { key: 'onHand', label: 'On hand', numeric: true }, { key: 'inTransit', label: 'In transit', numeric: true },
  { key: 'reorderPoint', label: 'Reorder point', numeric: true }, { key: 'orderUpToLevel', label: 'Order up to', numeric: true },
  { key: 'orderQuantity', label: 'Order qty', numeric: true }, { key: 'reorderNow', label: 'Reorder now' }, { key: 'method', label: 'Method' },
];

/** An SGLN URN may wrap after its colons and dots, so the table fits without breaking names mid-word. */
function breakable(text: string): Array<string | HTMLElement> {
  return text.split(/(?<=[:.])/).flatMap((part, i) => (i ? [h('wbr'), part] : [part]));
}

export function toCsv(lines: readonly ReorderLine[]): string {
  const keys: Array<keyof ReorderLine> = ['gtin', 'productName', 'location', 'onHand', 'inTransit', 'reorderPoint', 'orderUpToLevel', 'orderQuantity', 'reorderNow', 'method', 'forecastDigest', 'problem'];
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [keys.join(','), ...lines.map((l) => keys.map((k) => cell(l[k])).join(','))].join('\n') + '\n';
}

export function plannerPage(): HTMLElement {
  let lines: ReorderLine[] = [];
  let sort: { key: keyof ReorderLine; dir: 1 | -1 } = { key: 'orderQuantity', dir: -1 };
  const status = h('div', { 'aria-live': 'polite' });
  const table = h('table', { id: 'reorder-table' });
  const chart = h('section', { id: 'forecast', 'aria-live': 'polite', 'aria-labelledby': 'forecast-title' }, h('h2', { id: 'forecast-title' }, 'Forecast'), h('p', {}, 'Choose a product in the table.'));
  const modelBox = h('section', { id: 'model', 'aria-labelledby': 'model-title' });
  const location = h('input', { id: 'location', placeholder: 'the whole organisation', autocomplete: 'off' });

  const renderTable = () => {
    const sorted = [...lines].sort((a, b) => {
      const x = a[sort.key], y = b[sort.key];
      if (x === y) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * sort.dir;
    });
    table.replaceChildren(
      h('caption', {}, `Reorder suggestions (${lines.length})`),
      h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => {
        const active = sort.key === c.key;
        return h('th', { scope: 'col', class: c.numeric ? 'num' : '', 'aria-sort': active ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none' },
          h('button', { type: 'button', class: 'sort', 'data-sort': c.key, onclick: (() => { sort = { key: c.key, dir: active ? (-sort.dir as 1 | -1) : 1 }; renderTable(); }) as EventListener },
            c.label, active ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''));
      }), h('th', { scope: 'col' }, 'Forecast'))),
      h('tbody', {}, ...sorted.map((l) => h('tr', { class: l.reorderNow ? 'reorder' : '' },
        ...COLUMNS.map((c) => h('td', { class: c.numeric ? 'num' : c.key === 'gtin' ? 'mono gtin' : c.key === 'location' ? 'mono location' : '' }, c.key === 'reorderNow' ? (l.reorderNow ? 'yes' : l.reorderNow === false ? 'no' : '—') : l[c.key] === null ? (c.key === 'method' ? l.problem ?? '—' : '—') : c.key === 'location' ? breakable(String(l[c.key])) : String(l[c.key]))),
        h('td', {}, h('button', { type: 'button', class: 'link', 'data-gtin': l.gtin, onclick: (() => void showForecast(l)) as EventListener }, 'Show'))))));
  };

  const load = async () => {
    status.replaceChildren(notice('Loading suggestions…'));
    try {
      lines = nodes((await gql<{ reorderSuggestions: Connection<ReorderLine> }>('forecast', REORDER, { l: location.value.trim() || null })).reorderSuggestions);
      status.replaceChildren();
      renderTable();
    } catch (err) {
      status.replaceChildren(notice(`Could not load suggestions: ${(err as Error).message}`, 'error'));
    }
  };

  const showForecast = async (line: ReorderLine) => {
    chart.replaceChildren(h('h2', { id: 'forecast-title' }, `Forecast: ${line.productName ?? line.gtin}`), notice('Loading…'));
    try {
      const r = await gql<{ forecast: Forecast; demandHistory: { points: Array<{ period: string; quantity: number }> } }>('forecast', FORECAST, { g: line.gtin, l: location.value.trim() || null });
      const f = r.forecast;
      chart.replaceChildren(
        h('h2', { id: 'forecast-title' }, `Forecast: ${line.productName ?? line.gtin} at ${line.location}`),
        forecastChart(r.demandHistory.points, f.periods, `${line.productName ?? line.gtin}: 36 months of demand and 12 months of forecast`),
        h('p', { class: 'legend' }, h('span', { class: 'key history' }), ' history ', h('span', { class: 'key median' }), ' forecast median ', h('span', { class: 'key band' }), ' 10–90% band'),
        h('dl', { class: 'facts small' },
          h('dt', {}, 'Method'), h('dd', { id: 'f-method' }, `${f.method} (${f.fittedModel})`),
          h('dt', {}, 'Why'), h('dd', {}, f.reason),
          h('dt', {}, 'Validation (MASE)'), h('dd', {}, f.validation.map((v) => `${v.method} ${v.mase?.toFixed(3) ?? 'n/a'}`).join(', ') || '—'),
          h('dt', {}, 'History through'), h('dd', {}, f.historyThrough),
          h('dt', {}, 'Digest'), h('dd', { class: 'mono' }, f.digest),
          f.notes.length ? [h('dt', {}, 'Notes'), h('dd', {}, f.notes.join('; '))] : null),
        h('div', { class: 'scroll' }, h('table', { class: 'compact' }, h('caption', {}, 'Forecast per month'),
          h('thead', {}, h('tr', {}, ...['Month', 'q10', 'median', 'q90'].map((c, i) => h('th', { scope: 'col', class: i ? 'num' : '' }, c)))),
          h('tbody', {}, ...f.periods.map((p) => h('tr', {}, h('td', {}, p.period.slice(0, 7)), ...[p.q10, p.q50, p.q90].map((v) => h('td', { class: 'num' }, v.toFixed(0)))))))));
    } catch (err) {
      chart.replaceChildren(h('h2', { id: 'forecast-title' }, 'Forecast'), notice(`No forecast: ${(err as Error).message}`, 'error'));
    }
  };

  const progress = h('progress', { id: 'retrain-progress', max: 100, value: 0, 'aria-label': 'Retraining progress' });
  progress.hidden = true;
  const jobText = h('p', { id: 'retrain-status', 'aria-live': 'polite' });
  const retrain = h('button', { type: 'button', id: 'retrain' }, 'Retrain the model');
  let polling = 0;
  onLeave(() => window.clearTimeout(polling));
  retrain.addEventListener('click', async () => {
    retrain.disabled = true;
    jobText.textContent = 'Starting…';
    try {
      const job = (await gql<{ retrain: Job }>('forecast', `mutation { retrain { id status phase percent message modelVersion } }`)).retrain;
      progress.hidden = false;
      const poll = async () => {
        const j = (await gql<{ trainingJob: Job | null }>('forecast', `query($id: ID!) { trainingJob(id: $id) { id status phase percent message modelVersion } }`, { id: job.id })).trainingJob;
        if (!j) return;
        progress.value = j.percent;
        jobText.textContent = `${j.status}: ${j.phase} ${Math.round(j.percent)}%${j.message ? ` — ${j.message}` : ''}`;
        if (j.status === 'succeeded' || j.status === 'failed') {
          retrain.disabled = false;
          void loadModel();
          void load();
        } else polling = window.setTimeout(() => void poll(), 500);
      };
      await poll();
    } catch (err) {
      retrain.disabled = false;
      jobText.textContent = `Retraining refused: ${(err as Error).message} (retraining needs the admin role)`;
    }
  });

  const loadModel = async () => {
    try {
      const m = (await gql<{ model: Model }>('forecast', MODEL)).model;
      const fmt = (v: number | null, d = 3) => (v === null ? 'n/a' : v.toFixed(d));
      modelBox.replaceChildren(h('h2', { id: 'model-title' }, 'Model'),
        h('dl', { class: 'facts small' },
          h('dt', {}, 'Backend'), h('dd', { id: 'm-backend' }, `${m.backend}${m.trainedOn ? ` (trained on ${m.trainedOn})` : ''}`),
          h('dt', {}, 'Version'), h('dd', { id: 'm-version', class: 'mono' }, m.version ?? 'no model trained yet'),
          h('dt', {}, 'Trained'), h('dd', {}, m.createdAt ? `${m.createdAt} on ${m.trainingFirstMonth}..${m.trainingLastMonth}, ${m.trainingSeries ?? '?'} series, ${fmt(m.trainingSeconds, 1)} s` : '—'),
          h('dt', {}, 'Held-out scores'), h('dd', { id: 'm-scores' }, `MASE ${fmt(m.validationMase)}, pinball ${fmt(m.validationPinball, 4)}`)),
        retrain, progress, jobText);
    } catch (err) {
      modelBox.replaceChildren(h('h2', { id: 'model-title' }, 'Model'), notice(`Could not load the model: ${(err as Error).message}`, 'error'));
    }
  };

  void load();
  void loadModel();
  return h('div', { class: 'planner-page' },
    h('h1', {}, 'Demand planning'),
    h('form', { class: 'row', onsubmit: ((e: Event) => { e.preventDefault(); void load(); }) as EventListener },
      h('label', { for: 'location' }, 'Location (SGLN)'), location, h('button', { type: 'submit' }, 'Show'),
      h('button', { type: 'button', id: 'export-csv', onclick: (() => downloadText(`reorder-suggestions-${new Date().toISOString().slice(0, 10)}.csv`, toCsv(lines))) as EventListener }, 'Export CSV')),
    status, h('div', { class: 'scroll' }, table), chart, modelBox);
}

/** History as a line, the forecast median as a dashed line, q10..q90 as a shaded band; months on x. */
function forecastChart(history: Array<{ period: string; quantity: number }>, periods: Period[], title: string): SVGElement {
  const W = 720, H = 260, L = 48, R = 12, T = 12, B = 28;
  const months = [...history.map((p) => p.period.slice(0, 7)), ...periods.map((p) => p.period.slice(0, 7))];
  const unique = [...new Set(months)];
  const xOf = (period: string) => L + (unique.indexOf(period.slice(0, 7)) / Math.max(1, unique.length - 1)) * (W - L - R);
  const top = Math.max(1, ...history.map((p) => p.quantity), ...periods.map((p) => p.q90)) * 1.05;
  const yOf = (v: number) => T + (1 - v / top) * (H - T - B);
  const path = (pts: Array<[number, number]>) => pts.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  const band = [...periods.map((p) => [xOf(p.period), yOf(p.q90)] as [number, number]), ...[...periods].reverse().map((p) => [xOf(p.period), yOf(p.q10)] as [number, number])];
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(top * f));
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart' },
    svg('title', {}, title),
    ...ticks.map((t) => svg('g', {}, svg('line', { x1: L, x2: W - R, y1: yOf(t), y2: yOf(t), class: 'grid' }), svg('text', { x: L - 6, y: yOf(t) + 4, 'text-anchor': 'end' }, String(t)))),
    ...unique.filter((_, i) => i % 6 === 0).map((m) => svg('text', { x: xOf(m), y: H - 8, 'text-anchor': 'middle' }, m)),
    periods.length ? svg('path', { d: `${path(band)} Z`, class: 'band' }) : svg('g'),
    svg('path', { d: path(history.map((p) => [xOf(p.period), yOf(p.quantity)])), class: 'history' }),
    svg('path', { d: path(periods.map((p) => [xOf(p.period), yOf(p.q50)])), class: 'median' }));
}
