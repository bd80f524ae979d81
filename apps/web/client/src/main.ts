import { loadServices, serviceInfo, session, signOut } from './api';
import { consolePage } from './console';
import { h, leave } from './dom';
import { defaultScreen, loginPage } from './login';
import { plannerPage } from './planner';
import { scanPage } from './scan';

/**
 * Routes live in the hash (#/scan, #/planner, #/console, #/login): the server then only ever
 * serves one page, and a reload keeps the screen.
 */
const SCREENS: Record<string, { title: string; render: () => HTMLElement }> = {
  '#/scan': { title: 'Scan', render: scanPage },
  '#/planner': { title: 'Planner', render: plannerPage },
  '#/console': { title: 'Partner console', render: consolePage },
};

function route(): void {
  leave();
  const main = document.getElementById('main')!;
  const nav = document.getElementById('nav')!;
  const who = document.getElementById('who')!;
  const s = session();
  if (location.hash === '#/logout') {
    signOut();
    location.hash = '#/login';
    return;
  }
  if (!s || location.hash === '#/login' || !SCREENS[location.hash]) {
    if (s && !SCREENS[location.hash] && location.hash !== '#/login') {
      location.hash = defaultScreen(s.role, s.app ?? 'dispenser');
      return;
    }
    nav.replaceChildren();
    who.replaceChildren();
    document.title = 'Sign in — Pedigree';
    main.replaceChildren(loginPage());
    return;
  }
  nav.replaceChildren(...Object.entries(SCREENS).map(([hash, screen]) =>
    h('a', { href: hash, 'aria-current': location.hash === hash ? 'page' : undefined }, screen.title)));
  who.replaceChildren(h('span', {}, `${s.label} · ${serviceInfo(s.org)?.label ?? s.org}`), ' ', h('a', { href: '#/logout' }, 'Sign out'));
  const screen = SCREENS[location.hash];
  document.title = `${screen.title} — Pedigree`;
  main.replaceChildren(screen.render());
}

window.addEventListener('hashchange', route);
// The organisations come from the server (the consortium's), before the first screen is drawn.
void loadServices().finally(route);
