import { gql, session } from './api';
import { h, notice } from './dom';

/**
 * The partner console's conditions tab: a shipment's, container's or location's logger trace as a
 * chart, the product's labelled range shaded and the excursions marked (issue 18,
 * docs/cold-chain.md). Drawn as SVG from the readings this organisation stored.
 */
interface Reading { at: string; celsius: number }
interface Storage { minCelsius: number; maxCelsius: number; label: string }

const READINGS = `query($s: ConditionSourceInput!) { conditionReadings(source: $s) { at celsius } }`;
const PRODUCT = `query($g: String!) { product(gtin: $g) { name storage { minCelsius maxCelsius label } } }`;
const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: Array<Node | string>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

/** Stretches out of range as [start, end] indexes of consecutive readings outside it. */
export function outOfRangeRuns(readings: readonly Reading[], range: { minCelsius: number; maxCelsius: number }): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  readings.forEach((r, i) => {
    const out = r.celsius < range.minCelsius || r.celsius > range.maxCelsius;
    const last = runs[runs.length - 1];
    if (out && last && last[1] === i - 1) last[1] = i;
    else if (out) runs.push([i, i]);
  });
  return runs;
}

export function conditionsChart(readings: readonly Reading[], storage: Storage | null): SVGSVGElement {
  const W = 900, H = 320, L = 48, R = 12, T = 12, B = 36;
  const times = readings.map((r) => Date.parse(r.at));
  const t0 = Math.min(...times), t1 = Math.max(...times);
  const values = readings.map((r) => r.celsius).concat(storage ? [storage.minCelsius, storage.maxCelsius] : []);
  const lo = Math.floor(Math.min(...values) - 1), hi = Math.ceil(Math.max(...values) + 1);
  const x = (t: number) => L + ((t - t0) / Math.max(1, t1 - t0)) * (W - L - R);
  const y = (c: number) => T + ((hi - c) / Math.max(1, hi - lo)) * (H - T - B);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'conditions-chart', id: 'conditions-chart', 'aria-label': `Temperature trace, ${readings.length} readings${storage ? `, range ${storage.label}` : ''}` });
  if (storage) chart.append(svg('rect', { class: 'range', x: L, width: W - L - R, y: y(storage.maxCelsius), height: y(storage.minCelsius) - y(storage.maxCelsius) }, svg('title', {}, `Labelled range ${storage.label}`)));
  if (storage) {
    for (const [a, b] of outOfRangeRuns(readings, storage)) {
      const from = times[Math.max(0, a - 1)] as number, to = times[Math.min(times.length - 1, b + 1)] as number;
      chart.append(svg('rect', { class: 'excursion', x: x(from), width: Math.max(2, x(to) - x(from)), y: T, height: H - T - B },
        svg('title', {}, `Excursion ${new Date(times[a] as number).toLocaleString()} – ${new Date(times[b] as number).toLocaleString()}`)));
    }
  }
  for (let c = lo; c <= hi; c += Math.max(1, Math.round((hi - lo) / 6))) {
    chart.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y(c), y2: y(c) }), svg('text', { class: 'axis', x: L - 6, y: y(c) + 4, 'text-anchor': 'end' }, `${c} °C`));
  }
  for (let i = 0; i <= 4; i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
    chart.append(svg('text', { class: 'axis', x: x(t), y: H - 12, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' }, new Date(t).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })));
  }
  chart.append(svg('polyline', { class: 'trace', points: readings.map((r, i) => `${x(times[i] as number).toFixed(1)},${y(r.celsius).toFixed(1)}`).join(' ') }));
  return chart;
}

export function conditionsSection(): HTMLElement {
  const out = h('div', { 'aria-live': 'polite' });
  const kind = h('select', { id: 'conditions-kind' }, ...['shipment', 'container', 'location'].map((k) => h('option', { value: k }, k)));
  const id = h('input', { id: 'conditions-id', autocomplete: 'off', placeholder: 'shipment ID, SSCC URN or SGLN URN' });
  const gtin = h('input', { id: 'conditions-gtin', autocomplete: 'off', inputmode: 'numeric', placeholder: 'GTIN for its labelled range' });
  const show = async () => {
    out.replaceChildren(notice('Loading…'));
    try {
      const org = session()!.org;
      const [{ conditionReadings: readings }, product] = await Promise.all([
        gql<{ conditionReadings: Reading[] }>(org, READINGS, { s: { kind: kind.value, id: id.value.trim() } }),
        gtin.value.trim() ? gql<{ product: { name: string; storage: Storage | null } | null }>(org, PRODUCT, { g: gtin.value.trim() }) : Promise.resolve({ product: null }),
      ]);
      if (!readings.length) return out.replaceChildren(h('p', {}, 'No readings stored for this source.'));
      const storage = product.product?.storage ?? null;
      const runs = storage ? outOfRangeRuns(readings, storage) : [];
      out.replaceChildren(
        h('p', { id: 'conditions-summary' }, `${readings.length} readings, ${new Date(readings[0]!.at).toLocaleString()} – ${new Date(readings[readings.length - 1]!.at).toLocaleString()}`,
          storage ? `; ${product.product?.name}: ${storage.label}; ${runs.length} excursion${runs.length === 1 ? '' : 's'}` : ''),
        conditionsChart(readings, storage),
      );
    } catch (err) {
      out.replaceChildren(notice((err as Error).message, 'error'));
    }
  };
  return h('section', {}, h('h2', {}, 'Storage and transport conditions'),
    h('form', { class: 'row', onsubmit: ((e: Event) => { e.preventDefault(); void show(); }) as EventListener },
      h('label', { for: 'conditions-kind' }, 'Logger on'), kind, h('label', { for: 'conditions-id' }, 'ID'), id, h('label', { for: 'conditions-gtin' }, 'Product'), gtin,
      h('button', { type: 'submit' }, 'Show conditions')),
    out);
}

/** One custody leg of a pack with what its own source's logger recorded over it (`packConditions`). */
export interface LegConditions {
  source: { kind: string; id: string }; from: string; to: string; covered: boolean; loggers: string[];
  minCelsius: number | null; maxCelsius: number | null; minutesOutOfRange: number; mktCelsius: number | null; monitoredMinutes: number;
}

const PACK_CONDITIONS = `query($e: String!) { packConditions(epc: $e) { source { kind id } from to covered loggers minCelsius maxCelsius minutesOutOfRange mktCelsius monitoredMinutes } }`;

const celsius = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} °C`);
const stamp = (iso: string) => new Date(iso).toLocaleString();
/** Seconds under a minute: a leg seconds long that ran hot must not print as "0 min". */
const duration = (minutes: number) => (minutes > 0 && minutes < 1 ? `${Math.max(1, Math.round(minutes * 60))} s` : `${Math.round(minutes * 10) / 10} min`);

/** A leg is an excursion when its logger saw any time out of the labelled range; the budget is judged over the pack's whole custody, not here. */
export const legIsExcursion = (leg: Pick<LegConditions, 'minutesOutOfRange'>) => leg.minutesOutOfRange > 0;

/**
 * The conditions of each leg of a pack's custody, beside its trace timeline: min/max, minutes out of
 * range, MKT and the loggers, "no logger" where the source had none. Empty for a product without a
 * labelled range (the service answers no legs), and for a container, whose own legs are not a pack's.
 */
export function packLegsConditions(epc: string): HTMLElement {
  const out = h('section', { class: 'legs-box', id: 'trace-legs', 'aria-live': 'polite' }, notice('Loading conditions…'));
  // A container's URN has no pack legs; scans and Digital Links are resolved by the service.
  if (/^urn:epc:id:(?!sgtin:)/.test(epc)) {
    out.replaceChildren();
    return out;
  }
  gql<{ packConditions: LegConditions[] }>(session()!.org, PACK_CONDITIONS, { e: epc }).then(({ packConditions: legs }) => {
    if (!legs.length) return out.replaceChildren(h('p', { class: 'small' }, 'No storage range registered for this product: no conditions to show.'));
    const excursions = legs.filter(legIsExcursion).length;
    out.replaceChildren(h('h3', {}, 'Conditions of each leg'),
      h('p', { id: 'trace-legs-summary' }, `${legs.length} leg${legs.length === 1 ? '' : 's'}, ${legs.filter((l) => l.covered).length} with a logger; ${excursions} out of range`),
      h('table', { class: 'legs' },
        h('thead', {}, h('tr', {}, ...['Leg', 'From', 'To', 'Min', 'Max', 'Out of range', 'MKT', 'Logger'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...legs.map((l) => h('tr', { class: legIsExcursion(l) ? 'excursion' : l.covered ? 'covered' : 'uncovered' },
          h('td', {}, `${l.source.kind} `, h('span', { class: 'mono small' }, l.source.id)), h('td', {}, stamp(l.from)), h('td', {}, stamp(l.to)),
          h('td', { class: 'num' }, celsius(l.minCelsius)), h('td', { class: 'num' }, celsius(l.maxCelsius)),
          h('td', { class: 'num leg-out' }, l.covered ? `${legIsExcursion(l) ? '⚠ ' : ''}${duration(l.minutesOutOfRange)}` : '—'),
          h('td', { class: 'num' }, celsius(l.mktCelsius)),
          h('td', { class: 'leg-logger' }, l.covered ? l.loggers.join(', ') || 'logger' : 'no logger'))))));
  }, (err: Error) => out.replaceChildren(...(/is not a pack/.test(err.message) ? [] : [notice(err.message, 'error')])));
  return out;
}
