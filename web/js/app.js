// The router and the frame around every page.
import { h, clear } from './dom.js';
import { L, getLocale, setLocale, setTopics } from './i18n.js';
import { refresh, user, logout, onSession, get } from './api.js';
import { problemBox } from './ui.js';
import * as pub from './views/public.js';
import * as member from './views/member.js';
import * as coord from './views/coordinator.js';
import * as admin from './views/admin.js';

const MEMBER = ['member', 'coordinator', 'admin'];
const STAFF = ['coordinator', 'admin'];

// [pattern, view, who may see it (null: anyone)]
const routes = [
  ['/', home, null],
  ['/login', pub.login, null],
  ['/register', pub.register, null],
  ['/verify-email', pub.verifyEmail, null],
  ['/forgot-password', pub.forgotPassword, null],
  ['/reset-password', pub.resetPassword, null],
  ['/invitations/accept', pub.acceptInvitation, null],
  ['/matches', member.matches, MEMBER],
  ['/matches/:id', member.matchPage, MEMBER],
  ['/profile', member.profile, MEMBER],
  ['/appointments', member.appointments, MEMBER],
  ['/appointments/:id', member.appointmentPage, MEMBER],
  ['/record', member.record, MEMBER],
  ['/settings/notifications', member.notifications, MEMBER],
  ['/account', member.account, MEMBER],
  ['/programmes', coord.programmes, STAFF],
  ['/programmes/:id', coord.programme, STAFF],
  ['/rounds/:id', coord.round, STAFF],
  ['/network', coord.network, STAFF],
  ['/mail', coord.failedMail, STAFF],
  ['/admin', admin.adminPage, ['admin']],
];

// Email links that act without a login: a visitor who is not logged in is
// sent to the service's own page for the link, which takes its token.
const tokenPages = [/^\/matches\/[^/]+$/, /^\/appointments\/[^/]+$/, /^\/settings\/notifications$/];

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const [pattern, view, who] of routes) {
    const pp = pattern.split('/').filter(Boolean);
    if (pp.length !== parts.length) continue;
    const params = {};
    const part = (i) => { try { return decodeURIComponent(parts[i]); } catch { return null; } };
    if (pp.every((p, i) => (p.startsWith(':') ? (params[p.slice(1)] = part(i)) !== null : p === parts[i]))) {
      return { view, who, params };
    }
  }
  return null;
}

// A short outcome to show (and have read out) at the top of the next page
// drawn, for actions that redraw the page they were taken on.
let pending = null;
export function flash(text) { pending = text; }

export function go(path, replace) {
  if (replace) history.replaceState(null, '', path); else history.pushState(null, '', path);
  render();
}

function home() {
  const u = user();
  if (u) return go(STAFF.includes(u.role) ? '/programmes' : '/matches', true);
  return pub.welcome();
}

function navLinks(u) {
  if (!u) return [['/login', L('Inloggen', 'Log in')], ['/register', L('Aanmelden', 'Sign up')]];
  const links = [
    ['/matches', L('Mijn matches', 'My matches')], ['/appointments', L('Afspraken', 'Appointments')],
    ['/record', L('Leerdossier', 'Learning record')], ['/profile', L('Profiel', 'Profile')],
    ['/account', L('Account', 'Account')],
  ];
  if (STAFF.includes(u.role)) {
    links.push(['/programmes', L('Programma\'s', 'Programmes')], ['/network', L('Netwerk', 'Network')], ['/mail', L('Mislukte mail', 'Failed mail')]);
  }
  if (u.role === 'admin') links.push(['/admin', L('Beheer', 'Admin')]);
  return links;
}

function frame() {
  const u = user();
  const here = location.pathname;
  const other = getLocale() === 'en' ? 'nl' : 'en';
  clear(document.getElementById('top'), h('div', { class: 'bar' },
    h('a', { class: 'brand', href: '/' }, 'buddymatch'),
    h('nav', { 'aria-label': L('Hoofdmenu', 'Main menu') }, h('ul', {},
      navLinks(u).map(([href, text]) => h('li', {}, h('a', { href, 'aria-current': here === href || here.startsWith(`${href}/`) ? 'page' : null }, text))),
      u ? h('li', {}, h('button', { type: 'button', class: 'link', onclick: async () => { await logout(); go('/login'); } }, L('Uitloggen', 'Log out'))) : null)),
    h('button', { type: 'button', class: 'link', lang: other, onclick: () => { setLocale(other); render(); } },
      other === 'en' ? 'English' : 'Nederlands')));
  document.querySelector('.skip').textContent = L('Naar de inhoud', 'Skip to content');
  clear(document.getElementById('foot'), h('p', {}, L(
    'buddymatch: leren over de grenzen van je domein, met buddy\'s, intervisie en meelopen.',
    'buddymatch: learning across domains, through buddies, intervision and shadowing.')));
}

let rendering = 0;
export async function render() {
  const run = ++rendering;
  const main = document.getElementById('main');
  frame();
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(location.search);
  const m = match(path);
  let node;
  try {
    if (!m) {
      node = h('section', {}, h('h1', {}, L('Pagina niet gevonden', 'Page not found')),
        h('p', {}, h('a', { href: '/' }, L('Naar de startpagina', 'Go to the start page'))));
    } else if (m.who && !user()) {
      if (query.get('token') && tokenPages.some((p) => p.test(path))) {
        location.replace(`/pages${path}${location.search}`);
        return;
      }
      return go(`/login?next=${encodeURIComponent(path + location.search)}`, true);
    } else if (m.who && !m.who.includes(user().role)) {
      node = h('section', {}, h('h1', {}, L('Geen toegang', 'No access')),
        h('p', {}, m.who.includes('coordinator') ? L('Deze pagina is voor coördinatoren en beheerders.', 'This page is for coordinators and admins.')
          : L('Deze pagina is alleen voor beheerders.', 'This page is for admins only.')));
    } else {
      node = await m.view({ params: m.params, query, go, rerender: render, flash });
      // A logged-in member does not need an email link's token: keep it out
      // of the address bar and the history.
      if (query.has('token') && tokenPages.some((p) => p.test(path))) {
        query.delete('token');
        history.replaceState(null, '', path + (query.toString() ? `?${query}` : ''));
      }
    }
  } catch (err) {
    node = h('section', {}, h('h1', {}, L('Dat lukte niet', 'Something went wrong')), problemBox(err));
  }
  if (run !== rendering || !node) return;
  clear(main, node);
  const h1 = main.querySelector('h1');
  const said = pending;
  pending = null;
  if (said && h1) h1.after(h('div', { class: 'notice', role: 'status', tabindex: '-1' }, said));
  document.title = `${h1 ? h1.textContent : ''} · buddymatch`;
  frame();
  // Screen readers hear the new page; keyboard users start at its top.
  window.scrollTo(0, 0);
  if (said) main.querySelector('.notice[role=status]')?.focus({ preventScroll: true });
  else if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: true }); }
}

// Same-origin links move within the app without a reload.
document.addEventListener('click', (e) => {
  const a = e.target.closest('a');
  if (!a || a.target || a.hasAttribute('download') || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  const u = new URL(a.href, location.href);
  if (u.origin !== location.origin || u.pathname.startsWith('/api/') || u.pathname.startsWith('/pages/')) return;
  // The skip link and other in-page anchors only move the focus.
  if (u.pathname === location.pathname && u.search === location.search && u.hash) return;
  e.preventDefault();
  go(u.pathname + u.search);
});
window.addEventListener('popstate', render);
onSession(() => frame());

(async () => {
  await Promise.all([refresh().catch(() => false), get('/topics').then(setTopics).catch(() => {})]);
  render();
})();
