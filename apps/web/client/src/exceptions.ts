import { Connection, gql, nodes, session } from './api';
import { h, notice } from './dom';

/**
 * Receiving exceptions in the partner console: the inbox of what this organisation raised on receipt,
 * filtered by rule, partner and age (business days, as the clock counts them) or overdue only, and
 * acted on one or many at a time. Each action is one ledger transaction per exception; the ledger
 * refuses a step the exception's state does not allow, and the screen says which and why.
 */
export interface InboxException {
  id: string; rule: string; state: string; seller: string; shipmentId: string; summary: string; held: string[];
  ageBusinessDays: number; dueAt: string; timeZone: string; overdue: boolean; onExpiry: string; escalatedAt: string | null;
}

/** What a person reads for each receiving rule code. */
export const RULE_LABELS: Record<string, string> = {
  product_not_in_master_data: 'Product not in this organisation\u2019s product list',
  quantity_differs_from_ti: 'Quantity differs from the transaction information',
  aggregation_missing_pack: 'A pack was missing from its case',
  aggregation_extra_pack: 'An extra pack arrived in the shipment',
  seal_broken: 'The case arrived with a broken seal',
  identifier_mismatch: 'The pack\u2019s lot or expiry differs from the record',
  addressed_elsewhere: 'The shipment was addressed elsewhere',
  product_without_data: 'Product arrived without data',
  data_without_product: 'Data arrived without the product',
  temperature_excursion: 'Temperature excursion beyond the product\u2019s budget',
};

/** The last business day of an exception's grace, as its site counts it (dueAt is the instant that day ends). */
export function lastDayOf(x: Pick<InboxException, 'dueAt' | 'timeZone'>): string {
  return new Date(Date.parse(x.dueAt) - 1).toLocaleDateString('en-US', { timeZone: x.timeZone, weekday: 'short', month: 'short', day: 'numeric' });
}

const INBOX = `query($f: ExceptionFilter) { exceptionsInbox(filter: $f, first: 200) { edges { node { id rule state seller shipmentId summary held ageBusinessDays dueAt timeZone overdue onExpiry escalatedAt } } } }`;
const ACTIONS: ReadonlyArray<[id: string, label: string, mutation: string]> = [
  ['refer', 'Refer to the seller', 'mutation($id: ID!) { referException(id: $id) { transactionId } }'],
  ['escalate', 'Escalate as suspect', 'mutation($id: ID!) { escalateException(id: $id) { transactionId } }'],
  ['return', 'Resolve by return', 'mutation($id: ID!) { resolveException(id: $id, resolution: return) { transactionId } }'],
  ['destroy', 'Resolve by destruction', 'mutation($id: ID!) { resolveException(id: $id, resolution: destruction) { transactionId } }'],
  ['close', 'Close', 'mutation($id: ID!) { closeException(id: $id) { transactionId } }'],
];

export function exceptionsSection(): HTMLElement {
  const org = session()!.org;
  const rule = h('select', { id: 'x-rule' }, h('option', { value: '' }, 'Every rule'), ...Object.entries(RULE_LABELS).map(([v, l]) => h('option', { value: v }, l)));
  const partner = h('input', { id: 'x-partner', placeholder: 'e.g. DistributorMSP', autocomplete: 'off' });
  const minAge = h('input', { id: 'x-min-age', type: 'number', min: '0', value: '0', class: 'short' });
  const overdue = h('input', { id: 'x-overdue', type: 'checkbox' });
  const openOnly = h('input', { id: 'x-open', type: 'checkbox', checked: true });
  const out = h('div', { 'aria-live': 'polite' });
  const status = h('div', { id: 'x-status', role: 'status' });
  let shown: InboxException[] = [];

  const selected = () => [...out.querySelectorAll<HTMLInputElement>('input[data-exception]:checked')].map((c) => c.dataset.exception as string);
  const load = async () => {
    out.replaceChildren(notice('Loading…'));
    try {
      const filter = {
        ...(rule.value ? { rules: [rule.value] } : {}), ...(partner.value.trim() ? { partner: partner.value.trim() } : {}),
        ...(overdue.checked ? { overdue: true } : {}), ...(openOnly.checked ? { states: ['open', 'waiting_on_partner'] } : {}),
      };
      // Age in business days is the clock's (weekends, federal holidays, the site's zone): filtered here, on what it says.
      const age = Math.max(0, Number(minAge.value) || 0);
      shown = nodes((await gql<{ exceptionsInbox: Connection<InboxException> }>(org, INBOX, { f: filter })).exceptionsInbox).filter((x) => x.ageBusinessDays >= age);
      render();
    } catch (err) {
      out.replaceChildren(notice((err as Error).message, 'error'));
    }
  };
  const all = h('input', { type: 'checkbox', id: 'x-all', 'aria-label': 'Select every exception shown' });
  all.addEventListener('change', () => out.querySelectorAll<HTMLInputElement>('input[data-exception]').forEach((c) => { c.checked = all.checked; }));
  const render = () => {
    all.checked = false;
    out.replaceChildren(h('div', { class: 'scroll' }, h('table', { id: 'exceptions-inbox' },
      h('caption', {}, `Exceptions raised on receipt (${shown.length}), oldest first`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, all), ...['Rule', 'Seller', 'State', 'Age (business days)', 'Due', 'Held', 'What was found'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...shown.map((x) => h('tr', { 'data-row': x.id, class: x.overdue ? 'overdue' : '' },
        h('td', {}, h('input', { type: 'checkbox', 'data-exception': x.id, 'aria-label': `Select exception ${x.id}` })),
        h('td', {}, RULE_LABELS[x.rule] ?? x.rule), h('td', {}, x.seller), h('td', { class: 'x-state' }, x.state.replace(/_/g, ' ')),
        h('td', { class: 'num' }, x.ageBusinessDays),
        h('td', {}, `${x.overdue ? 'overdue since the end of' : 'by the end of'} ${lastDayOf(x)}${x.escalatedAt ? ' (escalated)' : ''}`),
        h('td', { class: 'num' }, x.held.length), h('td', {}, x.summary)))))));
  };
  const act = async (label: string, mutation: string) => {
    const ids = selected();
    if (!ids.length) return status.replaceChildren(notice('Select one or more exceptions first.', 'error'));
    const refused: string[] = [];
    for (const id of ids) {
      await gql(org, mutation, { id }).catch((err: Error) => refused.push(`${id}: ${err.message}`));
    }
    status.replaceChildren(notice(`${label}: ${ids.length - refused.length} of ${ids.length} done.${refused.length ? ` Refused — ${refused.join('; ')}` : ''}`, refused.length ? 'error' : 'info'));
    await load();
  };
  const form = h('form', { class: 'row filters', onsubmit: ((e: Event) => { e.preventDefault(); void load(); }) as EventListener },
    h('label', { for: 'x-rule' }, 'Rule'), rule, h('label', { for: 'x-partner' }, 'Seller'), partner,
    h('label', { for: 'x-min-age' }, 'At least (business days)'), minAge,
    h('label', {}, openOnly, ' Open only'), h('label', {}, overdue, ' Overdue only'), h('button', { type: 'submit', id: 'x-apply' }, 'Show'));
  const actions = h('div', { class: 'row', role: 'group', 'aria-label': 'Act on the selected exceptions' },
    ...ACTIONS.map(([id, label, mutation]) => h('button', { type: 'button', id: `x-${id}`, onclick: (() => void act(label, mutation)) as EventListener }, label)));
  void load();
  return h('section', {}, h('h2', {}, 'Exceptions inbox'), form, actions, status, out);
}
