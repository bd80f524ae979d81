import { gql, session } from './api';
import { h, notice } from './dom';

/**
 * Suspect-product investigations and tracing requests in the partner console (issue 14). The
 * investigation view says what is held where, the verifications so far against the sample the rule
 * asks for, the determination and the notices; the tracing view lists requests in (with the DSCSA
 * deadline) and out (who has answered, and the TI released to this organisation). Every action is
 * one ledger transaction; the ledger refuses what the caller's part or the state does not allow.
 */
interface Investigation {
  id: string; investigator: string; mine: boolean; heldHere: string[]; state: string; summary: string; packs: string[]; holdings: Array<{ holder: string; packs: string[] }>;
  requiredVerifications: number; verificationsDone: number; verifications: Array<{ pack: string; by: string; outcome: string; at: string }>;
  classification: string | null; notificationsDueAt: string | null; fdaIncidentNumber: string | null; notices: Array<{ to: string; at: string }>;
}
interface Respondent { org: string; role: string; dueAt: string; answeredAt: string | null; overdue: boolean }
interface TracingRequest {
  id: string; requester: string; kind: string; epc: string; reason: string; test: boolean; owners: string[]; complete: boolean;
  respondents: Respondent[]; myResponse: Respondent | null;
}

const INVESTIGATION = 'id investigator mine heldHere state summary packs holdings { holder packs } requiredVerifications verificationsDone verifications classification notificationsDueAt fdaIncidentNumber notices';
const when = (iso: string) => new Date(iso).toLocaleString();

/** Runs one mutation and says in the status line what the ledger answered. */
async function run(status: HTMLElement, label: string, mutation: string, variables: Record<string, unknown>, then: () => Promise<void>): Promise<void> {
  try {
    await gql(session()!.org, mutation, variables);
    status.replaceChildren(notice(`${label}: done.`));
  } catch (err) {
    status.replaceChildren(notice(`${label}: ${(err as Error).message}`, 'error'));
  }
  await then();
}

export function investigationsSection(): HTMLElement {
  const org = session()!.org;
  const status = h('div', { id: 'inv-status', role: 'status' });
  const list = h('div', { 'aria-live': 'polite' });
  const detail = h('div', { id: 'inv-detail' });
  const gtin = h('input', { id: 'inv-gtin', placeholder: 'GTIN', autocomplete: 'off' });
  const lot = h('input', { id: 'inv-lot', placeholder: 'Lot', autocomplete: 'off', class: 'short' });
  const packs = h('input', { id: 'inv-packs', placeholder: 'or packs: EPCs, comma-separated', autocomplete: 'off' });
  const summary = h('input', { id: 'inv-summary', placeholder: 'Why it is suspect', autocomplete: 'off' });
  let selected: { id: string; investigator: string } | undefined;

  const load = async () => {
    try {
      const { investigations } = await gql<{ investigations: Investigation[] }>(org, `{ investigations(first: 100) { ${INVESTIGATION} } }`);
      list.replaceChildren(h('table', { id: 'investigations' }, h('caption', {}, `Investigations (${investigations.length}), newest first`),
        h('thead', {}, h('tr', {}, ...['Investigator', 'State', 'Packs', 'Verified', 'Why', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...investigations.map((x) => h('tr', { 'data-row': x.id },
          h('td', {}, x.investigator), h('td', { class: 'inv-state' }, x.state), h('td', { class: 'num' }, x.packs.length),
          h('td', { class: 'num' }, `${x.verificationsDone} of ${x.requiredVerifications}`), h('td', {}, x.summary),
          h('td', {}, h('button', { type: 'button', 'data-open': x.id, onclick: (() => { selected = { id: x.id, investigator: x.investigator }; void show(); }) as EventListener }, 'Open')))))));
      if (selected) await show();
    } catch (err) {
      list.replaceChildren(notice((err as Error).message, 'error'));
    }
  };

  const show = async () => {
    if (!selected) return;
    const { investigation: x } = await gql<{ investigation: Investigation | null }>(org, `query($id: String!, $i: String) { investigation(id: $id, investigator: $i) { ${INVESTIGATION} } }`, { id: selected.id, i: selected.investigator });
    if (!x) return detail.replaceChildren(notice('Not visible to this organisation.', 'error'));
    const mine = x.mine;
    const vars = { id: x.id, i: x.investigator };
    // The investigator verifies any package in scope; a holder its own stock.
    const pack = h('select', { id: 'inv-verify-pack' }, ...(mine ? x.packs : x.heldHere).map((p) => h('option', { value: p }, p)));
    const outcome = h('select', { id: 'inv-verify-outcome' }, ...['genuine', 'not_genuine', 'inconclusive'].map((o) => h('option', { value: o }, o.replace('_', ' '))));
    const classification = h('select', { id: 'inv-classification' }, ...['counterfeit', 'diverted', 'stolen', 'intentionally_adulterated', 'unfit_for_distribution', 'fraudulent_transaction'].map((o) => h('option', { value: o }, o.replace(/_/g, ' '))));
    const incident = h('input', { id: 'inv-incident', placeholder: 'FDA incident number', autocomplete: 'off', class: 'short' });
    const act = (label: string, mutation: string, extra: () => Record<string, unknown> = () => ({})) => h('button', { type: 'button', id: `inv-${label.toLowerCase().replace(/[^a-z]+/g, '-')}`, onclick: (() => void run(status, label, mutation, { ...vars, ...extra() }, load)) as EventListener }, label);
    detail.replaceChildren(h('section', { id: `investigation-${x.id}` },
      h('h3', {}, `${x.summary} — ${x.state}`),
      h('p', {}, `Sample: ${x.verificationsDone} of ${x.requiredVerifications} packages verified.${x.notificationsDueAt ? ` Notices due by ${when(x.notificationsDueAt)}.` : ''}${x.fdaIncidentNumber ? ` FDA incident ${x.fdaIncidentNumber}.` : ''}`),
      h('table', { id: 'inv-holdings' }, h('caption', {}, 'What is held where'), h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Holder'), h('th', { scope: 'col' }, 'Packs held'))),
        h('tbody', {}, ...x.holdings.map((hd) => h('tr', {}, h('td', {}, hd.holder), h('td', { class: 'num' }, hd.packs.length))))),
      h('table', { id: 'inv-verifications' }, h('caption', {}, 'Verifications so far'), h('thead', {}, h('tr', {}, ...['Pack', 'By', 'Outcome', 'When'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...x.verifications.map((v) => h('tr', {}, h('td', {}, v.pack), h('td', {}, v.by), h('td', {}, v.outcome.replace('_', ' ')), h('td', {}, when(v.at)))))),
      h('p', { id: 'inv-notices' }, x.notices.length ? `Trading partners notified: ${x.notices.map((n) => `${n.to} (${when(n.at)})`).join(', ')}` : 'No trading partner notified yet.'),
      h('div', { class: 'row', role: 'group', 'aria-label': 'Verify a package' }, pack, outcome,
        act('Record verification', 'mutation($id: String!, $i: String, $p: String!, $o: VerificationOutcome!) { verifyInvestigationPack(id: $id, investigator: $i, pack: $p, outcome: $o) { transactionId } }', () => ({ p: pack.value, o: outcome.value }))),
      ...(mine ? [h('div', { class: 'row', role: 'group', 'aria-label': 'Determine and notify' },
        act('Clear', 'mutation($id: String!) { clearInvestigation(id: $id) { transactionId } }'),
        classification, act('Declare illegitimate', 'mutation($id: String!, $c: IllegitimateClassification!) { declareIllegitimate(id: $id, classification: $c) { transactionId } }', () => ({ c: classification.value })),
        act('Notify trading partners', 'mutation($id: String!) { notifyTradingPartners(id: $id) { transactionId } }'),
        incident, act('Record FDA filing', 'mutation($id: String!, $n: String!) { recordFdaFiling(id: $id, incidentNumber: $n) { transactionId } }', () => ({ n: incident.value.trim() })),
        act('Request termination', 'mutation($id: String!) { requestTermination(id: $id) { transactionId } }'))] : []),
    ));
  };

  const open = h('form', { class: 'row filters', id: 'inv-open', onsubmit: ((e: Event) => {
    e.preventDefault();
    const named = packs.value.split(',').map((s) => s.trim()).filter(Boolean);
    const scope = named.length ? { packs: named } : { gtin: gtin.value.trim(), lot: lot.value.trim() };
    void run(status, 'Open investigation', 'mutation($s: InvestigationScopeInput!, $w: String!) { openInvestigation(scope: $s, summary: $w) { transactionId } }', { s: scope, w: summary.value.trim() }, load);
  }) as EventListener }, gtin, lot, packs, summary, h('button', { type: 'submit', id: 'inv-open-submit' }, 'Open investigation'));
  void load();
  return h('section', {}, h('h2', {}, 'Suspect-product investigations'), open, status, list, detail);
}

export function tracingSection(): HTMLElement {
  const org = session()!.org;
  const status = h('div', { id: 'trc-status', role: 'status' });
  const out = h('div', { 'aria-live': 'polite' });
  const epc = h('input', { id: 'trc-epc', placeholder: 'Pack EPC', autocomplete: 'off' });
  const kind = h('select', { id: 'trc-kind' }, ...[['transaction_information', 'Transaction information'], ['all_owners', 'All owners'], ['last_owner', 'Last owner']].map(([v, l]) => h('option', { value: v }, l)));
  const reason = h('select', { id: 'trc-reason' }, ...['suspect', 'illegitimate', 'recall', 'audit', 'inspection'].map((v) => h('option', { value: v }, v)));
  const drill = h('input', { id: 'trc-test', type: 'checkbox' });
  const FIELDS = 'id requester kind epc reason test owners complete respondents { org role dueAt answeredAt overdue } myResponse { org role dueAt answeredAt overdue }';
  const respondents = (r: TracingRequest) => r.respondents.map((s) => `${s.org}: ${s.answeredAt ? `answered ${when(s.answeredAt)}` : `due ${when(s.dueAt)}`}${s.overdue ? ' (overdue)' : ''}`).join('; ') || 'answered from the ledger';

  const load = async () => {
    try {
      const [{ tracingRequests: incoming }, { tracingRequests: outgoing }] = await Promise.all([
        gql<{ tracingRequests: TracingRequest[] }>(org, `{ tracingRequests(direction: in) { ${FIELDS} } }`),
        gql<{ tracingRequests: TracingRequest[] }>(org, `{ tracingRequests(direction: out) { ${FIELDS} } }`),
      ]);
      const released = await Promise.all(outgoing.map((r) => gql<{ releasedTransactionInformation: Array<{ by: string; shipmentId: string }> }>(org, `query($id: String!) { releasedTransactionInformation(id: $id) { by shipmentId } }`, { id: r.id })
        .then((x) => x.releasedTransactionInformation).catch(() => [])));
      out.replaceChildren(
        h('table', { id: 'tracing-in' }, h('caption', {}, `Tracing requests to answer (${incoming.length})`),
          h('thead', {}, h('tr', {}, ...['From', 'Pack', 'Asked', 'Reason', 'Deadline', ''].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...incoming.map((r) => {
            const me = r.myResponse;
            return h('tr', { 'data-row': r.id, class: me?.overdue ? 'overdue' : '' }, h('td', {}, r.requester), h('td', {}, r.epc), h('td', {}, r.kind.replace(/_/g, ' ')), h('td', {}, `${r.reason}${r.test ? ' (drill)' : ''}`),
              h('td', { class: 'trc-due' }, me?.answeredAt ? `answered ${when(me.answeredAt)}` : `by ${me ? when(me.dueAt) : '—'}${me?.overdue ? ' (overdue)' : ''}`),
              h('td', {}, me && !me.answeredAt ? h('button', { type: 'button', 'data-answer': r.id, onclick: (() => void run(status, 'Answer', 'mutation($r: String!, $id: String!) { answerTracingRequest(requester: $r, id: $id) { transactionId } }', { r: r.requester, id: r.id }, load)) as EventListener }, 'Release our TI') : ''));
          }))),
        h('table', { id: 'tracing-out' }, h('caption', {}, `Tracing requests made (${outgoing.length})`),
          h('thead', {}, h('tr', {}, ...['Pack', 'Asked', 'Owners on the ledger', 'Respondents', 'TI released to us'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...outgoing.map((r, i) => h('tr', { 'data-row': r.id, class: r.complete ? 'complete' : '' }, h('td', {}, r.epc), h('td', {}, r.kind.replace(/_/g, ' ')), h('td', {}, r.owners.join(' → ')),
            h('td', { class: 'trc-respondents' }, respondents(r)), h('td', { class: 'num trc-released' }, released[i]?.length ?? 0))))));
    } catch (err) {
      out.replaceChildren(notice((err as Error).message, 'error'));
    }
  };
  const form = h('form', { class: 'row filters', id: 'trc-request', onsubmit: ((e: Event) => {
    e.preventDefault();
    void run(status, 'Request', 'mutation($e: String!, $k: TracingKind!, $r: TracingReason!, $t: Boolean) { requestTracing(epc: $e, kind: $k, reason: $r, test: $t) { transactionId } }',
      { e: epc.value.trim(), k: kind.value, r: reason.value, t: drill.checked }, load);
  }) as EventListener }, epc, kind, reason, h('label', {}, drill, ' Drill'), h('button', { type: 'submit', id: 'trc-submit' }, 'Request tracing'));
  void load();
  return h('section', {}, h('h2', {}, 'Tracing requests'), form, status, out);
}
