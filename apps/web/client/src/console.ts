import { toSVG } from 'bwip-js/browser';
import { Connection, gql, nodes, serviceInfo, session } from './api';
import { h, notice } from './dom';
import { conditionsSection, packLegsConditions } from './conditions';
import { exceptionsSection } from './exceptions';
import { sellerExceptionsSection } from './seller-exceptions';
import { investigationsSection, tracingSection } from './investigations';

/**
 * The partner console: shipments in and out, stock on hand by product and lot, a pack's or lot's
 * trace as a timeline, alerts on stock held (recalled, quarantined, suspect), the receiving
 * exceptions inbox, the exceptions raised against this organisation's shipments (answered with
 * corrected data), investigations, tracing requests and printable labels.
 */
interface Shipment { id: string; sender: string; receiver: string; purpose: string; status: string; epcs: string[]; shippedAt: string; receivedAt: string | null }
interface Stock { gtin: string; productName: string | null; lot: string; expiry: string; quantity: number }
interface TraceEvent { subject: string; step: string; actor: string | null; status: string | null; owner: string | null; custodian: string | null; occurredAt: string; transactionId: string; blockNumber: string }
interface Pack { epc: string; gtin: string; serial: string; lot: string; expiry: string; status: string; overlays: string[]; productName: string | null; custodian: string }

const SHIPMENTS = `query($d: ShipmentDirection!) { shipments(direction: $d, first: 100) { edges { node { id sender receiver purpose status epcs shippedAt receivedAt } } } }`;
const INVENTORY = `{ inventory(first: 200) { edges { node { gtin productName lot expiry quantity } } } }`;
const TRACE_FIELDS = 'edges { node { subject step actor status owner custodian occurredAt transactionId blockNumber } }';
const ALERT_PACKS = `query($overlay: String!) { packs(first: 200, filter: { overlay: $overlay }) { edges { node { epc gtin serial lot expiry status overlays productName custodian } } } }`;

const when = (iso: string) => new Date(iso).toLocaleString();

export function consolePage(): HTMLElement {
  const org = session()!.org;
  const sections = [
    ['shipments', 'Shipments', shipmentsSection],
    ['inventory', 'Inventory', inventorySection],
    ['trace', 'Trace', traceSection],
    ['alerts', 'Alerts', alertsSection],
    ['conditions', 'Conditions', conditionsSection],
    ['exceptions', 'Exceptions', exceptionsSection],
    ['against', 'Against our shipments', sellerExceptionsSection],
    ['investigations', 'Investigations', investigationsSection],
    ['tracing', 'Tracing', tracingSection],
    ['labels', 'Labels', labelsSection],
  ] as const;
  const body = h('div', { id: 'console-body' });
  const tabs = h('div', { role: 'tablist', 'aria-label': 'Console sections', class: 'tabs' });
  const open = (id: string) => {
    for (const b of tabs.querySelectorAll('button')) {
      const on = b.dataset.section === id;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    }
    const s = sections.find(([sid]) => sid === id)!;
    body.replaceChildren(h('div', { role: 'tabpanel', id: `panel-${id}`, 'aria-labelledby': `tab-${id}` }, s[2]()));
  };
  sections.forEach(([id, title], i) => tabs.append(h('button', {
    type: 'button', role: 'tab', id: `tab-${id}`, 'data-section': id, 'aria-controls': `panel-${id}`,
    onclick: (() => open(id)) as EventListener,
    // Arrow keys move between tabs, as screen-reader users expect of a tablist.
    onkeydown: ((e: KeyboardEvent) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const next = sections[(i + (e.key === 'ArrowRight' ? 1 : sections.length - 1)) % sections.length][0];
      open(next);
      (tabs.querySelector(`[data-section="${next}"]`) as HTMLElement).focus();
    }) as EventListener,
  }, title)));
  queueMicrotask(() => open('shipments'));
  return h('div', { class: 'console-page' }, h('h1', {}, `Partner console — ${serviceInfo(org)?.label ?? org}`), tabs, body);
}

function loading<T>(target: HTMLElement, work: () => Promise<T>, render: (v: T) => Array<Node | null>): void {
  target.replaceChildren(notice('Loading…'));
  work().then((v) => target.replaceChildren(...render(v).filter((n): n is Node => n !== null)),
    (err: Error) => target.replaceChildren(notice(err.message, 'error')));
}

function shipmentsSection(): HTMLElement {
  const out = h('div');
  loading(out, async () => Promise.all((['INBOUND', 'OUTBOUND'] as const).map(async (d) => [d, nodes((await gql<{ shipments: Connection<Shipment> }>(session()!.org, SHIPMENTS, { d })).shipments)] as const)),
    (both) => both.map(([direction, list]) => h('table', { id: `shipments-${direction.toLowerCase()}` },
      h('caption', {}, `${direction === 'INBOUND' ? 'Inbound' : 'Outbound'} shipments (${list.length})`),
      h('thead', {}, h('tr', {}, ...['Shipped', direction === 'INBOUND' ? 'From' : 'To', 'Purpose', 'Status', 'Items', 'Received', 'Shipment'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...list.map((s) => h('tr', {}, h('td', {}, when(s.shippedAt)), h('td', {}, direction === 'INBOUND' ? s.sender : s.receiver), h('td', {}, s.purpose),
        h('td', {}, s.status), h('td', { class: 'num' }, s.epcs.length), h('td', {}, s.receivedAt ? when(s.receivedAt) : '—'), h('td', { class: 'mono' }, s.id.slice(0, 12))))))));
  return h('section', {}, h('h2', {}, 'Shipments'), out);
}

function inventorySection(): HTMLElement {
  const out = h('div');
  loading(out, async () => nodes((await gql<{ inventory: Connection<Stock> }>(session()!.org, INVENTORY)).inventory), (stock) => [h('table', { id: 'inventory' },
    h('caption', {}, `Sellable stock on hand: ${stock.reduce((s, x) => s + x.quantity, 0)} packs`),
    h('thead', {}, h('tr', {}, ...['Product', 'GTIN', 'Lot', 'Expiry', 'On hand', ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...stock.map((s) => h('tr', {}, h('td', {}, s.productName ?? '—'), h('td', { class: 'mono' }, s.gtin), h('td', {}, s.lot), h('td', {}, s.expiry),
      h('td', { class: 'num' }, s.quantity), h('td', {}, h('a', { href: `#/console`, onclick: ((e: Event) => { e.preventDefault(); showLotTrace(out, s.gtin, s.lot); }) as EventListener }, `Trace lot ${s.lot}`))))))]);
  return h('section', {}, h('h2', {}, 'Inventory on hand'), out);
}

function showLotTrace(target: HTMLElement, gtin: string, lot: string): void {
  const box = h('div');
  target.append(box);
  loading(box, async () => nodes((await gql<{ lotTrace: Connection<TraceEvent> }>(session()!.org, `query($g: String!, $l: String!) { lotTrace(gtin: $g, lot: $l, first: 200) { ${TRACE_FIELDS} } }`, { g: gtin, l: lot })).lotTrace),
    (events) => [timeline(`Lot ${lot} of ${gtin}`, events)]);
  box.scrollIntoView();
}

function timeline(title: string, events: TraceEvent[]): HTMLElement {
  return h('section', { class: 'timeline-box', 'aria-label': title }, h('h3', {}, title),
    events.length ? h('ol', { class: 'timeline' }, ...events.map((e) => h('li', { class: `step-${e.step}` },
      h('strong', {}, e.step), ' ', h('time', { datetime: e.occurredAt }, when(e.occurredAt)),
      h('div', { class: 'small' }, [e.actor && `by ${e.actor}`, e.owner && `owner ${e.owner}`, e.custodian && `custodian ${e.custodian}`, e.status && `status ${e.status}`].filter(Boolean).join(' · ')),
      h('div', { class: 'small mono' }, `${e.subject} · block ${e.blockNumber} · tx ${e.transactionId.slice(0, 12)}`)))) : h('p', {}, 'No events.'));
}

function traceSection(): HTMLElement {
  const result = h('div', { 'aria-live': 'polite' });
  const epc = h('input', { id: 'trace-epc', autocomplete: 'off', placeholder: 'urn:epc:id:sgtin:…, a scan or a Digital Link' });
  const gtin = h('input', { id: 'trace-gtin', autocomplete: 'off', inputmode: 'numeric' });
  const lot = h('input', { id: 'trace-lot', autocomplete: 'off' });
  return h('section', {}, h('h2', {}, 'Trace'),
    h('form', { class: 'row', onsubmit: ((e: Event) => {
      e.preventDefault();
      loading(result, async () => nodes((await gql<{ trace: Connection<TraceEvent> }>(session()!.org, `query($e: String!) { trace(epc: $e, first: 200) { ${TRACE_FIELDS} } }`, { e: epc.value.trim() })).trace),
        (events) => [timeline(`Pack ${epc.value.trim()}`, events), packLegsConditions(epc.value.trim())]);
    }) as EventListener }, h('label', { for: 'trace-epc' }, 'Pack or container'), epc, h('button', { type: 'submit' }, 'Trace pack')),
    h('form', { class: 'row', onsubmit: ((e: Event) => { e.preventDefault(); result.replaceChildren(); showLotTrace(result, gtin.value.trim(), lot.value.trim()); }) as EventListener },
      h('label', { for: 'trace-gtin' }, 'GTIN'), gtin, h('label', { for: 'trace-lot' }, 'Lot'), lot, h('button', { type: 'submit' }, 'Trace lot')),
    result);
}

/** Alerts on stock this organisation holds: the read model marks recalls and quarantines as overlays; clones make a pack suspect. */
function alertsSection(): HTMLElement {
  const out = h('div');
  const org = session()!.org;
  // One query per overlay, filtered in the read model: the first page of all packs would miss alerts.
  const byOverlay = (overlay: string) => gql<{ packs: Connection<Pack> }>(org, ALERT_PACKS, { overlay }).then((r) => nodes(r.packs));
  loading(out, async () => Promise.all([byOverlay('recalled'), byOverlay('suspect'), byOverlay('quarantined')]), ([recalled, suspect, quarantined]) => {
    const kinds: Array<[string, string, Pack[]]> = [
      ['recalled', 'Recalled lots held', recalled],
      ['clone', 'Possible clones and suspect packs', suspect],
      ['quarantined', 'Quarantined packs', quarantined],
    ];
    return kinds.map(([id, title, packs]) => {
      const hits = packs.filter((p) => p.status !== 'dispensed');
      const byLot = new Map<string, Pack[]>();
      for (const p of hits) byLot.set(`${p.gtin} ${p.lot}`, [...(byLot.get(`${p.gtin} ${p.lot}`) ?? []), p]);
      return h('section', { id: `alerts-${id}`, class: hits.length ? 'alert-box hot' : 'alert-box' }, h('h3', {}, `${title} (${hits.length})`),
        hits.length ? h('ul', {}, ...[...byLot.values()].map((ps) => h('li', {}, `${ps[0].productName ?? ps[0].gtin}, lot ${ps[0].lot} (exp. ${ps[0].expiry}): ${ps.length} pack${ps.length > 1 ? 's' : ''} — `,
          ps.slice(0, 5).map((p) => p.serial).join(', '), ps.length > 5 ? '…' : ''))) : h('p', {}, 'None.'));
    });
  });
  return h('section', {}, h('h2', {}, 'Alerts'), out);
}

/** GS1 element strings for labels; bwip-js draws them as SVG, printed at full resolution. */
export function packElementString(gtin: string, expiry: string, lot: string, serial: string): string {
  const yymmdd = expiry.replace(/-/g, '').slice(2);
  return `(01)${gtin}(17)${yymmdd}(10)${lot}(21)${serial}`;
}

function labelsSection(): HTMLElement {
  const sheet = h('div', { id: 'label-sheet', class: 'label-sheet' });
  const status = h('div', { 'aria-live': 'polite' });
  const field = (id: string, label: string, attrs: Record<string, string> = {}) => {
    const input = h('input', { id, name: id, autocomplete: 'off', required: true, ...attrs });
    return [h('label', { for: id }, label), input] as const;
  };
  const [gl, gtin] = field('label-gtin', 'GTIN-14', { inputmode: 'numeric', pattern: '\\d{14}' });
  const [ll, lot] = field('label-lot', 'Lot');
  const [el, expiry] = field('label-expiry', 'Expiry', { type: 'date' });
  const [sl, serial] = field('label-serial', 'Serial');
  const [cl, sscc] = field('label-sscc', 'SSCC (18 digits)', { inputmode: 'numeric', pattern: '\\d{18}' });
  const add = (title: string, lines: string[], opts: Parameters<typeof toSVG>[0]) => {
    try {
      const label = h('figure', { class: 'label' });
      label.innerHTML = toSVG(opts); // bwip-js's own SVG markup, from validated GS1 data
      label.append(h('figcaption', {}, h('strong', {}, title), ...lines.map((l) => h('div', {}, l))));
      sheet.append(label);
      status.replaceChildren();
    } catch (err) {
      status.replaceChildren(notice(`Not a valid label: ${(err as Error).message}`, 'error'));
    }
  };
  return h('section', {}, h('h2', {}, 'Labels'),
    h('form', { class: 'grid-form', onsubmit: ((e: Event) => {
      e.preventDefault();
      add('Pack', [`GTIN ${gtin.value}`, `LOT ${lot.value}`, `EXP ${expiry.value}`, `SN ${serial.value}`],
        { bcid: 'gs1datamatrix', text: packElementString(gtin.value.trim(), expiry.value, lot.value.trim(), serial.value.trim()), scale: 3, paddingwidth: 4, paddingheight: 4 });
    }) as EventListener }, h('h3', {}, 'Pack (GS1 DataMatrix)'), gl, gtin, ll, lot, el, expiry, sl, serial, h('button', { type: 'submit' }, 'Add pack label')),
    h('form', { class: 'grid-form', onsubmit: ((e: Event) => {
      e.preventDefault();
      add('Container', [`SSCC ${sscc.value}`], { bcid: 'gs1-128', text: `(00)${sscc.value.trim()}`, scale: 2, height: 20, includetext: true, paddingwidth: 8 });
    }) as EventListener }, h('h3', {}, 'Container (SSCC, GS1-128)'), cl, sscc, h('button', { type: 'submit' }, 'Add SSCC label')),
    status,
    h('div', { class: 'row' }, h('button', { type: 'button', id: 'print-labels', onclick: (() => window.print()) as EventListener }, 'Print labels'),
      h('button', { type: 'button', onclick: (() => sheet.replaceChildren()) as EventListener }, 'Clear')),
    sheet);
}
