import { App, Org, parseDemoKey, partnerServices, serviceInfo, signIn } from './api';
import { h, notice } from './dom';

/** Demo users: one per screen's typical person. Each is a demo API key the services accept. */
export const DEMO_USERS: ReadonlyArray<{ apiKey: string; label: string; screen: string }> = [
  { apiKey: 'demo-dispenser-pharmacist', label: 'Pharmacist (pharmacy)', screen: '#/scan' },
  { apiKey: 'demo-dispenser-planner', label: 'Planner (pharmacy)', screen: '#/planner' },
  { apiKey: 'demo-dispenser-admin', label: 'Pharmacy admin (retrain, dispense)', screen: '#/planner' },
  { apiKey: 'demo-dispenser-operator', label: 'Pharmacy operator', screen: '#/console' },
  { apiKey: 'demo-distributor-operator', label: 'Distributor operator', screen: '#/console' },
  { apiKey: 'demo-manufacturer-operator', label: 'Manufacturer operator', screen: '#/console' },
  { apiKey: 'demo-manufacturer-auditor', label: 'Manufacturer auditor', screen: '#/console' },
];

/** Demo users of the consortium's other organisations (a second pharmacy): a pharmacist and an operator each. */
function moreDemoUsers(): Array<{ apiKey: string; label: string; screen: string }> {
  const listed = new Set(DEMO_USERS.map((u) => parseDemoKey(u.apiKey)?.org));
  return partnerServices().filter((s) => !listed.has(s.name)).flatMap((s) => [
    ...(s.app === 'dispenser' ? [{ apiKey: `demo-${s.name}-pharmacist`, label: `Pharmacist (${s.label})`, screen: '#/scan' }] : []),
    { apiKey: `demo-${s.name}-operator`, label: `Operator (${s.label})`, screen: '#/console' },
  ]);
}

export function defaultScreen(role: string, app: App): string {
  if (role === 'pharmacist') return '#/scan';
  if (role === 'planner' && app === 'dispenser') return '#/planner';
  return '#/console';
}

/** What kind of service an organisation's is; a name the server does not list is taken as its own kind. */
function appOf(org: Org): App {
  return serviceInfo(org)?.app ?? (['manufacturer', 'distributor', 'dispenser'].includes(org) ? org as App : 'dispenser');
}

export function loginPage(): HTMLElement {
  const status = h('div', { 'aria-live': 'polite' });
  const keyInput = h('input', { id: 'api-key', name: 'apiKey', autocomplete: 'off', spellcheck: 'false', placeholder: 'demo-dispenser-pharmacist', required: true });
  const orgSelect = h('select', { id: 'org', name: 'org' },
    h('option', { value: '' }, 'from the key (demo keys)'),
    ...(partnerServices().length ? partnerServices().map((s) => h('option', { value: s.name }, `${s.label} (${s.name})`))
      : (['manufacturer', 'distributor', 'dispenser'] as const).map((o) => h('option', { value: o }, o))));
  const roleSelect = h('select', { id: 'role', name: 'role' },
    ...['admin', 'operator', 'pharmacist', 'planner', 'auditor'].map((r) => h('option', { value: r }, r)));

  const go = (apiKey: string, org: Org, role: string, label: string) => {
    const app = appOf(org);
    signIn({ apiKey, org, app, role, label });
    location.hash = defaultScreen(role, app);
  };
  const form = h('form', {
    class: 'card',
    onsubmit: ((e: Event) => {
      e.preventDefault();
      const apiKey = keyInput.value.trim();
      const demo = parseDemoKey(apiKey);
      const org = (orgSelect.value || demo?.org) as Org | undefined;
      const role = demo?.role ?? roleSelect.value;
      status.replaceChildren();
      if (!org) {
        status.append(notice('Choose the organisation this key belongs to.', 'error'));
        orgSelect.focus();
        return;
      }
      go(apiKey, org, role, `${role} at ${serviceInfo(org)?.label ?? org}`);
    }) as EventListener,
  },
  h('h2', {}, 'Sign in with an API key'),
  h('label', { for: 'api-key' }, 'API key'), keyInput,
  h('label', { for: 'org' }, 'Organisation'), orgSelect,
  h('label', { for: 'role' }, 'Role (for keys that are not demo keys)'), roleSelect,
  h('button', { type: 'submit' }, 'Sign in'), status);

  const users = h('section', { class: 'card', 'aria-labelledby': 'demo-users' },
    h('h2', { id: 'demo-users' }, 'Or pick a demo user'),
    h('ul', { class: 'users' }, ...[...DEMO_USERS, ...moreDemoUsers()].map((u) => {
      const who = parseDemoKey(u.apiKey)!;
      return h('li', {}, h('button', { type: 'button', 'data-key': u.apiKey, onclick: (() => go(u.apiKey, who.org, who.role, u.label)) as EventListener },
        u.label, h('small', {}, u.apiKey)));
    })));
  return h('div', { class: 'login' }, h('h1', {}, 'Pedigree'), h('p', {}, 'Pharmaceutical supply-chain traceability. Sign in as an organisation and role.'), users, form);
}
