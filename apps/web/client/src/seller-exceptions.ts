import { Connection, gql, nodes, session } from './api';
import { h, notice } from './dom';
import { lastDayOf, RULE_LABELS } from './exceptions';

/**
 * The seller's side of receiving exceptions: what trading partners raised against this
 * organisation's shipments, with the evidence their checks recorded, answered with corrected data.
 * The ledger records the answer and re-checks it at once: a clean re-check resolves the exception by
 * correction, a failing one sends it back to the receiver; the screen shows which.
 */
interface Evidence {
  summary?: string; container?: string; expected?: string[]; scanned?: string[]; missing?: string[]; unexpected?: string[];
  gtin?: string; lot?: string; tiQuantity?: number; shippedQuantity?: number; packs?: string[]; addressee?: string;
  identifiers?: Array<{ id: string; ledger: { lot: string; expiry: string }; scanned: { lot?: string; expiry?: string } }>;
}
interface Answer { at: string; by: string; note?: string; recheck: 'clean' | 'still_failing'; remaining?: string }
export interface SellerException {
  id: string; receiver: string; rule: string; state: string; shipmentId: string; summary: string; isOpen: boolean; held: string[];
  evidence: Evidence; answers: Answer[]; ageBusinessDays: number; dueAt: string; timeZone: string; overdue: boolean;
}

const AGAINST = `query($f: ExceptionFilter) { exceptionsAgainstMyShipments(filter: $f, first: 200) { edges { node {
  id receiver rule state shipmentId summary isOpen held evidence answers ageBusinessDays dueAt timeZone overdue } } } }`;
const ONE = `query($r: String!, $id: ID!) { receivingException(id: $id, receiver: $r) { state answers } }`;
const ANSWER = `mutation($r: String!, $id: ID!, $c: JSON, $n: String) { answerException(receiver: $r, id: $id, correction: $c, note: $n) { transactionId } }`;

/** The evidence as lines a person reads: what the receiver's check found. */
export function evidenceLines(e: Evidence): string[] {
  const out: string[] = [];
  const list = (ids: readonly string[] | undefined) => (ids ?? []).join(', ');
  if (e.container) out.push(`Container ${e.container}`);
  if (e.missing?.length) out.push(`Missing: ${list(e.missing)}`);
  if (e.unexpected?.length) out.push(`Not expected: ${list(e.unexpected)}`);
  if (e.tiQuantity !== undefined || e.shippedQuantity !== undefined) {
    out.push(`GTIN ${e.gtin ?? '?'}${e.lot ? ` lot ${e.lot}` : ''}: the TI says ${e.tiQuantity ?? '—'}, the shipment carried ${e.shippedQuantity ?? '—'}`);
  }
  for (const i of e.identifiers ?? []) {
    out.push(`${i.id}: ledger lot ${i.ledger.lot} exp ${i.ledger.expiry}; barcode lot ${i.scanned.lot ?? '—'} exp ${i.scanned.expiry ?? '—'}`);
  }
  if (e.addressee) out.push(`Addressed to ${e.addressee}`);
  if (!out.length && e.packs?.length) out.push(`Packs: ${list(e.packs)}`);
  return out;
}

/**
 * A starting point for the correction, from the evidence: the aggregation as scanned, the TI line
 * as shipped, each pack's lot and expiry as its barcode carried them (the re-check takes the
 * seller's data as the truth against what was scanned). The seller edits it before answering;
 * undefined for rules only a ledger step fixes (ship, void, re-address), answered by a note.
 */
export function suggestedCorrection(rule: string, e: Evidence): Record<string, unknown> | undefined {
  switch (rule) {
    case 'aggregation_missing_pack':
      return e.container ? { contents: [{ container: e.container, children: e.scanned ?? [] }] } : undefined;
    case 'quantity_differs_from_ti':
      return e.gtin ? { ti: [{ gtin: e.gtin, ...(e.lot ? { lot: e.lot } : {}), quantity: e.shippedQuantity ?? 0 }] } : undefined;
    case 'identifier_mismatch':
      return { packs: (e.identifiers ?? []).map((i) => ({ id: i.id, lot: i.scanned.lot ?? i.ledger.lot, expiry: i.scanned.expiry ?? i.ledger.expiry })) };
    default:
      return undefined;
  }
}

export function sellerExceptionsSection(): HTMLElement {
  const org = session()!.org;
  const receiver = h('input', { id: 's-receiver', placeholder: 'e.g. DispenserMSP', autocomplete: 'off' });
  const openOnly = h('input', { id: 's-open', type: 'checkbox', checked: true });
  const out = h('div', { 'aria-live': 'polite' });
  const status = h('div', { id: 's-status', role: 'status' });
  let shown: SellerException[] = [];

  const load = async () => {
    out.replaceChildren(notice('Loading…'));
    try {
      const filter = { ...(receiver.value.trim() ? { partner: receiver.value.trim() } : {}), ...(openOnly.checked ? { states: ['open', 'waiting_on_partner'] } : {}) };
      shown = nodes((await gql<{ exceptionsAgainstMyShipments: Connection<SellerException> }>(org, AGAINST, { f: filter })).exceptionsAgainstMyShipments);
      render();
    } catch (err) {
      out.replaceChildren(notice((err as Error).message, 'error'));
    }
  };
  const answerForm = (x: SellerException): HTMLElement => {
    const suggested = suggestedCorrection(x.rule, x.evidence);
    const correction = h('textarea', { id: `s-correction-${x.id}`, rows: 4, cols: 60, 'aria-label': `Corrected data for exception ${x.id} (JSON)` });
    correction.value = suggested ? JSON.stringify(suggested, null, 1) : '';
    const note = h('input', { id: `s-note-${x.id}`, 'aria-label': `Note to ${x.receiver}`, placeholder: 'Note to the receiver', size: 40 });
    const send = async (e: Event) => {
      e.preventDefault();
      let parsed: unknown;
      try {
        parsed = correction.value.trim() ? JSON.parse(correction.value) : undefined;
      } catch {
        return status.replaceChildren(notice('The corrected data is not valid JSON.', 'error'));
      }
      if (parsed === undefined && !note.value.trim()) return status.replaceChildren(notice('Give corrected data or a note.', 'error'));
      try {
        // An absent note or correction is left out, not sent as null (the ledger refuses a null note).
        await gql(org, ANSWER, { r: x.receiver, id: x.id, ...(parsed !== undefined ? { c: parsed } : {}), ...(note.value.trim() ? { n: note.value.trim() } : {}) });
      } catch (err) {
        return status.replaceChildren(notice(`Answer refused: ${(err as Error).message}`, 'error'));
      }
      // The answer's own re-check, from the record (the list below may no longer show it: open only).
      const now = (await gql<{ receivingException: Pick<SellerException, 'state' | 'answers'> | null }>(org, ONE, { r: x.receiver, id: x.id })).receivingException;
      const last = now?.answers[now.answers.length - 1];
      status.replaceChildren(last?.recheck === 'clean'
        ? notice(`Answered: the re-check is clean; ${x.receiver}'s exception ${x.id} is ${now!.state.replace(/_/g, ' ')}.`)
        : notice(`Answered, but the re-check still fails (${last?.remaining ?? 'see the evidence'}): ${x.receiver} has exception ${x.id} back.`, 'error'));
      await load();
    };
    return h('form', { class: 'answer', 'data-answer': x.id, onsubmit: ((e: Event) => void send(e)) as EventListener },
      suggested ? h('p', {}, 'Corrected data (prefilled from the evidence; edit before answering):') : h('p', {}, 'Only a ledger step fixes this rule (ship, void, re-address): say what you did.'),
      correction, note, h('button', { type: 'submit', id: `s-answer-${x.id}` }, 'Answer with corrected data'));
  };
  const render = () => {
    out.replaceChildren(h('div', { class: 'scroll' }, h('table', { id: 'exceptions-against' },
      h('caption', {}, `Exceptions raised against our shipments (${shown.length}), oldest first`),
      h('thead', {}, h('tr', {}, ...['Rule', 'Raised by', 'Shipment', 'State', 'Age (business days)', 'Due', 'Evidence', 'Answer'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...shown.map((x) => h('tr', { 'data-row': x.id, 'data-receiver': x.receiver, class: x.overdue ? 'overdue' : '' },
        h('td', {}, RULE_LABELS[x.rule] ?? x.rule), h('td', {}, x.receiver), h('td', {}, x.shipmentId),
        h('td', { class: 's-state' }, x.state.replace(/_/g, ' ')), h('td', { class: 'num' }, x.ageBusinessDays),
        h('td', {}, x.isOpen ? `${x.overdue ? 'overdue since the end of' : 'by the end of'} ${lastDayOf(x)}` : '—'),
        h('td', { class: 's-evidence' }, h('p', {}, x.summary), h('ul', {}, ...evidenceLines(x.evidence).map((l) => h('li', {}, l))),
          x.answers.length ? h('p', {}, `${x.answers.length} answer${x.answers.length > 1 ? 's' : ''} so far; last re-check ${x.answers[x.answers.length - 1]?.recheck === 'clean' ? 'clean' : `still failing: ${x.answers[x.answers.length - 1]?.remaining ?? ''}`}`) : null),
        h('td', {}, x.isOpen ? answerForm(x) : x.state.replace(/_/g, ' '))))))));
  };
  const form = h('form', { class: 'row filters', onsubmit: ((e: Event) => { e.preventDefault(); void load(); }) as EventListener },
    h('label', { for: 's-receiver' }, 'Raised by'), receiver, h('label', {}, openOnly, ' Open only'), h('button', { type: 'submit', id: 's-apply' }, 'Show'));
  void load();
  return h('section', { id: 'seller-exceptions' }, h('h2', {}, 'Raised against our shipments'), form, status, out);
}
