// Admins: who has which role, and the audit log.
import { h, field, select, table } from '../dom.js';
import * as w from '../i18n.js';
import { L } from '../i18n.js';
import { api, get, user } from '../api.js';
import { pager, actionButton, notice, str } from '../ui.js';

export async function adminPage({ query, go }) {
  const mpage = Number(query.get('mpage')) || 1;
  const apage = Number(query.get('apage')) || 1;
  const action = query.get('action') || '';
  const [members, log] = await Promise.all([
    get('/members', { page: mpage, per_page: 25 }),
    get('/admin/audit-log', { page: apage, per_page: 25, action }),
  ]);
  const move = (k, v) => {
    const q = new URLSearchParams(location.search);
    q.set(k, v);
    go(`/admin?${q}`);
  };
  const roleCell = (m) => {
    if (m.id === user().id) return w.role(m.role);
    const s = select('role', w.role.options(), m.role);
    s.setAttribute('aria-label', L(`Rol van ${m.display_name}`, `Role of ${m.display_name}`));
    return h('span', {}, s, ' ', actionButton(L('Opslaan', 'Save'), async () => {
      await api('PUT', `/admin/users/${m.id}/role`, { body: { role: s.value } });
      return notice(L('Opgeslagen.', 'Saved.'));
    }, 'secondary'));
  };
  const actionFilter = h('form', { class: 'filters', role: 'search', 'aria-label': L('Logboek filteren', 'Filter the log') },
    field(L('Handeling', 'Action'), select('action', w.auditAction.options(), action, L('Alle', 'All'))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, L('Filteren', 'Filter'))));
  actionFilter.addEventListener('submit', (e) => { e.preventDefault(); move('action', str(new FormData(actionFilter), 'action')); });
  return h('section', {}, h('h1', {}, L('Beheer', 'Admin')),
    h('h2', {}, L('Rollen', 'Roles')),
    h('p', {}, L('Coördinatoren zien de leden van hun programma\'s en maken rondes; beheerders zien alles.', 'Coordinators see the members of their programmes and run rounds; admins see everything.')),
    table([L('Naam', 'Name'), L('E-mailadres', 'Email'), L('Rol', 'Role')], members.items.map((m) => [m.display_name, m.email, roleCell(m)]), L('Rollen', 'Roles')),
    pager(members, (n) => move('mpage', n), L('Pagina\'s met leden', 'Pages of members')),
    h('h2', {}, L('Logboek', 'Audit log')),
    h('p', {}, L('Wie wat heeft gezien of veranderd. Elke keer dat iemand dit logboek opent, komt dat er ook in.', 'Who saw or changed what. Opening this log is logged too.')),
    actionFilter,
    table([L('Wanneer', 'When'), L('Wie', 'Who'), L('Handeling', 'Action'), L('Waarop', 'On')],
      log.items.map((e) => [w.dateTime(e.at), `${e.actor_id.slice(0, 8)} (${w.role(e.actor_role)})`, w.auditAction(e.action), `${e.target_type} ${e.target_id.slice(0, 8)}`]), L('Logboek', 'Audit log')),
    pager(log, (n) => move('apage', n), L('Pagina\'s van het logboek', 'Pages of the audit log')));
}
