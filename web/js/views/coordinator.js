// Coordinators' pages: programmes and their members, invitations, a round
// from draft to published, failed mail and the learning network.
import { h, field, select, checkboxes, checkbox, table, stats, saveResponse } from '../dom.js';
import * as w from '../i18n.js';
import { L } from '../i18n.js';
import { api, get, user } from '../api.js';
import { form, notice, actionButton, pager, all, str, num, problemBox } from '../ui.js';
import { domainMatrix, domainBars } from '../charts.js';

const input = (name, type, extra = {}) => h('input', { name, type, ...extra });
const back = (href, text) => h('p', {}, h('a', { href }, `← ${text}`));

// ---- programmes ----------------------------------------------------------

export async function programmes({ go }) {
  const p = await get('/programmes', { per_page: 100 });
  const section = h('section', {}, h('h1', {}, L('Programma\'s', 'Programmes')),
    p.items.length ? table([L('Naam', 'Name'), L('Leden', 'Members'), L('Open', 'Open'), L('Coördinatoren', 'Coordinators')],
      p.items.map((x) => [h('a', { href: `/programmes/${x.id}` }, x.name), String(x.member_count ?? ''), x.open ? L('ja', 'yes') : L('nee', 'no'),
        (x.coordinators || []).map((c) => c.display_name).join(', ')]), L('Programma\'s', 'Programmes'))
      : h('p', {}, L('Je coördineert nog geen programma.', 'You do not coordinate a programme yet.')));
  if (user().role === 'admin') {
    section.append(h('h2', {}, L('Nieuw programma', 'New programme')),
      form({ 'aria-label': L('Nieuw programma', 'New programme') }, [
        field(L('Naam', 'Name'), input('name', 'text', { required: true, maxlength: 120 })),
        field(L('Beschrijving', 'Description'), h('textarea', { name: 'description', maxlength: 2000 })),
        checkbox(L('Open: leden kunnen zelf meedoen', 'Open: members can join themselves'), 'open', false),
      ], L('Aanmaken', 'Create'), async (fd) => {
        const created = await api('POST', '/programmes', { body: { name: str(fd, 'name'), description: str(fd, 'description'), open: !!fd.get('open') } });
        go(`/programmes/${created.id}`);
      }));
  }
  return section;
}

const filterKeys = ['domain', 'province', 'profession', 'form', 'paused'];

function memberFilters(query, apply) {
  const f = h('form', { class: 'filters', role: 'search', 'aria-label': L('Leden filteren', 'Filter members') },
    field(L('Domein', 'Domain'), select('domain', w.domain.options(), query.get('domain') || '', L('Alle', 'All'))),
    field(L('Provincie', 'Province'), select('province', w.province.options(), query.get('province') || '', L('Alle', 'All'))),
    field(L('Beroep', 'Profession'), select('profession', w.profession.options(), query.get('profession') || '', L('Alle', 'All'))),
    field(L('Vorm', 'Form'), select('form', w.form.options(), query.get('form') || '', L('Alle', 'All'))),
    field(L('Gepauzeerd', 'Paused'), select('paused', [['true', L('ja', 'yes')], ['false', L('nee', 'no')]], query.get('paused') || '', L('Maakt niet uit', 'Either'))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, L('Filteren', 'Filter'))));
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(f);
    apply(Object.fromEntries(filterKeys.map((k) => [k, str(fd, k)]).filter(([, v]) => v)));
  });
  return f;
}

function roundForm(programmeId, go) {
  const weightNames = ['cross_domain', 'cross_profession', 'complementary_experience', 'topic', 'novelty', 'in_person', 'online', 'hours_headroom', 'shared_language'];
  return form({ 'aria-label': L('Nieuwe ronde', 'New round') }, [
    field(L('Soort', 'Kind'), select('kind', w.kind.options(), 'buddy')),
    field(L('Toelichting voor de leden', 'Note for the members'), h('textarea', { name: 'note', maxlength: 1000 })),
    field(L('Afspreken vanaf', 'Meetings from'), input('from', 'date')),
    field(L('Afspreken tot', 'Meetings until'), input('until', 'date')),
    field(L('Antwoorden binnen (dagen)', 'Answer within (days)'), input('reply_within_days', 'number', { min: 1, max: 60 })),
    field(L('Voorkeur', 'Prefer'), select('prefer', [['score', L('Beste koppelingen', 'Best matches')], ['coverage', L('Zoveel mogelijk mensen', 'As many people as possible')]], '', L('Standaard', 'Default'))),
    field(L('Groepsgrootte minimaal (intervisie)', 'Group size at least (intervision)'), input('group_min', 'number', { min: 3, max: 12 })),
    field(L('Groepsgrootte maximaal (intervisie)', 'Group size at most (intervision)'), input('group_max', 'number', { min: 3, max: 12 })),
    checkboxes(L('Alleen deze provincies (leeg: alle)', 'Only these provinces (empty: all)'), 'provinces', w.province.options()),
    checkboxes(L('Alleen deze domeinen (leeg: alle)', 'Only these domains (empty: all)'), 'domains', w.domain.options()),
    h('details', {}, h('summary', {}, L('Gewichten (leeg: standaard)', 'Weights (empty: defaults)')),
      weightNames.map((k) => field(w.component(k === 'topic' ? 'topics' : k), input(`w_${k}`, 'number', { min: 0, max: 1000 })))),
  ], L('Ronde aanmaken', 'Create round'), async (fd) => {
    const settings = {};
    for (const k of ['reply_within_days', 'group_min', 'group_max']) if (str(fd, k)) settings[k] = num(fd, k);
    if (str(fd, 'prefer')) settings.prefer = str(fd, 'prefer');
    const weights = {};
    for (const k of weightNames) if (str(fd, `w_${k}`)) weights[k] = num(fd, `w_${k}`);
    if (Object.keys(weights).length) settings.weights = weights;
    const body = { programme_id: programmeId, kind: str(fd, 'kind'), settings, cohort: { provinces: all(fd, 'provinces'), domains: all(fd, 'domains') } };
    if (str(fd, 'note')) body.note = str(fd, 'note');
    if (str(fd, 'from') || str(fd, 'until')) body.meeting_window = Object.fromEntries([['from', str(fd, 'from')], ['until', str(fd, 'until')]].filter(([, v]) => v));
    const r = await api('POST', '/rounds', { body });
    go(`/rounds/${r.id}`);
  });
}

function invitationForm(programmeId) {
  const file = input('file', 'file', { accept: '.csv,text/csv' });
  return form({ 'aria-label': L('Uitnodigen met CSV', 'Invite by CSV') }, [
    h('p', { class: 'hint' }, L('Kolommen email en display_name, en eventueel locale (nl of en). De eerste regel noemt de kolommen.',
      'Columns email and display_name, and optionally locale (nl or en). The first line names the columns.')),
    field(L('CSV-bestand', 'CSV file'), file),
    field(L('Of plak de regels hier', 'Or paste the lines here'), h('textarea', { name: 'csv', placeholder: 'email,display_name\nanna@example.nl,Anna' })),
    checkbox(L('Proefdraaien: nog niets versturen', 'Dry run: send nothing yet'), 'dry_run', true),
  ], L('Uitnodigen', 'Invite'), async (fd) => {
    const csv = file.files[0] ? await file.files[0].text() : String(fd.get('csv') || '');
    const r = await api('POST', `/programmes/${programmeId}/invitations`, { csv, query: { dry_run: fd.get('dry_run') ? 'true' : 'false' } });
    const outcome = { invited: L('uitgenodigd', 'invited'), already_member: L('al lid', 'already a member'), refused: L('geweigerd', 'refused') };
    return h('div', {},
      notice(r.dry_run ? L('Proef: er is nog niets verstuurd.', 'Dry run: nothing was sent.') : L('De uitnodigingen zijn verstuurd.', 'The invitations have been sent.')),
      stats([[L('Regels', 'Rows'), r.totals.rows], [L('Uitgenodigd', 'Invited'), r.totals.invited], [L('Al lid', 'Already members'), r.totals.already_member], [L('Geweigerd', 'Refused'), r.totals.refused]]),
      table([L('Regel', 'Line'), L('E-mailadres', 'Email'), L('Uitkomst', 'Outcome'), L('Toelichting', 'Detail')],
        r.rows.map((x) => [String(x.line), x.email || '', outcome[x.outcome] || x.outcome, [x.column, x.message || x.reason].filter(Boolean).join(': ')]), L('Rapport per regel', 'Report per row')));
  });
}

export async function programme({ params, query, go }) {
  const id = params.id;
  const page = Number(query.get('page')) || 1;
  const rpage = Number(query.get('rpage')) || 1;
  const filter = Object.fromEntries(filterKeys.map((k) => [k, query.get(k)]).filter(([, v]) => v));
  const [p, members, rounds] = await Promise.all([
    get(`/programmes/${encodeURIComponent(id)}`),
    get(`/programmes/${encodeURIComponent(id)}/members`, { ...filter, page, per_page: 25 }),
    get('/rounds', { programme: id, page: rpage, per_page: 20 }),
  ]);
  const mine = rounds.items;
  const move = (q) => go(`/programmes/${id}?${new URLSearchParams(q)}`);
  return h('section', {}, back('/programmes', L('Programma\'s', 'Programmes')), h('h1', {}, p.name),
    p.description ? h('p', { class: 'lead' }, p.description) : null,
    h('p', {}, h('a', { href: `/network?programme=${id}` }, L('Het leernetwerk van dit programma', 'This programme\'s learning network'))),
    h('h2', {}, L('Rondes', 'Rounds')),
    mine.length ? table(['#', L('Soort', 'Kind'), L('Status', 'Status'), L('Aangemaakt', 'Created'), L('Gepubliceerd', 'Published')],
      mine.map((r) => [h('a', { href: `/rounds/${r.id}` }, `${L('Ronde', 'Round')} ${r.number}`), w.kind(r.kind), w.roundStatus(r.status), w.date(r.created_at), w.date(r.published_at)]), L('Rondes', 'Rounds'))
      : h('p', {}, L('Nog geen rondes.', 'No rounds yet.')),
    rounds.total > rounds.per_page ? pager(rounds, (n) => move({ ...filter, page, rpage: n }), L('Pagina\'s met rondes', 'Pages of rounds')) : null,
    h('details', {}, h('summary', {}, L('Nieuwe ronde', 'New round')), roundForm(id, go)),
    h('h2', {}, L('Leden', 'Members'), ` (${members.total})`),
    memberFilters(query, (q) => move(q)),
    table([L('Naam', 'Name'), L('E-mailadres', 'Email'), L('Domein', 'Domain'), L('Beroep', 'Profession'), L('Provincie', 'Province'), L('Vormen', 'Forms'), L('Uren', 'Hours')],
      members.items.map((m) => [m.display_name, m.email, w.domain(m.profile?.domain), w.profession(m.profile?.profession), w.province(m.profile?.province),
        (m.profile?.forms || []).map(w.form).join(', ') + (m.profile?.paused ? ` (${L('gepauzeerd', 'paused')})` : ''), String(m.profile?.hours_per_month ?? '')]), L('Leden', 'Members')),
    pager(members, (n) => move({ ...filter, rpage, page: n }), L('Pagina\'s met leden', 'Pages of members')),
    h('h2', {}, L('Uitnodigen', 'Invite')), invitationForm(id));
}

// ---- a round -------------------------------------------------------------

const nameOf = (names, id) => names[id] || L('onbekend lid', 'unknown member');

function readinessView(r) {
  return h('div', {},
    stats([[L('Doen mee', 'Taking part'), r.taking_part], [L('Hooguit gekoppeld', 'At most matched'), w.percent(r.matched_share_at_most)],
      [L('Vastgezet', 'Pinned'), r.engine.pinned_matches]]),
    r.warnings.length ? h('div', { class: 'problem', role: 'note' }, h('strong', {}, L('Let op', 'Mind this')), h('ul', {}, r.warnings.map((x) => h('li', {}, h('strong', {}, w.warning(x.code)), ` (${x.detail})`)))) : null,
    r.left_out.length ? h('details', {}, h('summary', {}, L(`Doen niet mee (${r.left_out.length})`, `Not taking part (${r.left_out.length})`)),
      table([L('Naam', 'Name'), L('Reden', 'Reason')], r.left_out.map((x) => [x.display_name, w.unmatched(x.reason)]))) : null);
}

function proposals(result, names) {
  const rows = [];
  for (const p of result.pairs || []) rows.push({ members: [p.a, p.b], score: p.score, pinned: p.pinned, reasons: p.reasons });
  for (const v of result.visits || []) rows.push({ members: [v.host, v.visitor], score: v.score, pinned: v.pinned, reasons: v.reasons });
  for (const g of result.groups || []) rows.push({ members: g.members, score: g.score, pinned: g.pinned, reasons: g.reasons });
  return rows.map((r) => ({ ...r, label: r.members.map((m) => nameOf(names, m)).join(' · ') }));
}

function overridesEditor(round, overrides, names, refresh) {
  const pinned = overrides.pinned.map((p) => p.members);
  const excluded = overrides.excluded;
  // Every save sends the whole set again, so a forced pin stays forced
  // (with its note) until it is taken away.
  const forced = overrides.pinned.some((p) => p.forced);
  const save = async (next) => {
    await api('PUT', `/rounds/${round.id}/overrides`, { body: { pinned, excluded, note: overrides.note, force: forced, ...next } });
    await refresh();
  };
  const people = Object.entries(names).sort((a, b) => a[1].localeCompare(b[1]));
  // A shadowing pin is [visitor, host]; the other kinds take people in any order.
  const whom = round.kind === 'shadowing'
    ? [field(L('Bezoeker', 'Visitor'), select('visitor', people, '', L('Kies…', 'Choose…'))),
      field(L('Gastheer of gastvrouw', 'Host'), select('host', people, '', L('Kies…', 'Choose…')))]
    : [checkboxes(L('Kies wie samen moeten', 'Choose who must go together'), 'pin', people)];
  return h('div', {},
    h('h3', {}, L('Vastgezet', 'Pinned')),
    pinned.length ? h('ul', {}, overrides.pinned.map((p, i) => h('li', {}, p.members.map((m) => nameOf(names, m)).join(' · '),
      p.forced ? ` (${L('afgedwongen', 'forced')}: ${p.breaks.join(', ')})` : '', ' ',
      actionButton(L('Losmaken', 'Unpin'), () => save({ pinned: pinned.filter((_, j) => j !== i) }), 'secondary'))))
      : h('p', {}, L('Niets vastgezet.', 'Nothing pinned.')),
    h('h3', {}, L('Uitgesloten', 'Excluded')),
    excluded.length ? h('ul', {}, excluded.map((pair, i) => h('li', {}, pair.map((m) => nameOf(names, m)).join(' · '), ' ',
      actionButton(L('Weer toestaan', 'Allow again'), () => save({ excluded: excluded.filter((_, j) => j !== i) }), 'secondary'))))
      : h('p', {}, L('Niemand uitgesloten.', 'Nobody excluded.')),
    people.length ? h('details', {}, h('summary', {}, L('Mensen samen vastzetten', 'Pin people together')),
      form({ 'aria-label': L('Vastzetten', 'Pin') }, [
        ...whom,
        checkbox(L('Ook als een regel het verbiedt (afdwingen)', 'Even if a rule forbids it (force)'), 'force', false),
        field(L('Waarom (nodig bij afdwingen; komt in het logboek)', 'Why (needed to force; goes into the audit log)'), h('textarea', { name: 'note', maxlength: 500, value: overrides.note })),
      ], L('Vastzetten', 'Pin'), async (fd) => {
        const chosen = round.kind === 'shadowing' ? [str(fd, 'visitor'), str(fd, 'host')] : all(fd, 'pin');
        return save({ pinned: [...pinned, chosen], force: forced || !!fd.get('force'), note: str(fd, 'note') });
      })) : null);
}

function previewView(pv, round, overrides, refresh) {
  const m = pv.metrics;
  const rows = proposals(pv.result, pv.names);
  const excluded = overrides.excluded;
  const pinned = overrides.pinned.map((p) => p.members);
  return h('div', {},
    h('h2', {}, L('Voorstel', 'Proposal')),
    stats([[L('Doen mee', 'Eligible'), m.eligible], [L('Gekoppeld', 'Matched'), `${m.matched} (${w.percent(m.matched_share)})`],
      [L('Matches', 'Matches'), m.matches], [L('Over domeinen heen', 'Cross-domain'), w.percent(m.cross_domain_share)],
      [L('Gemiddelde score', 'Mean score'), Math.round(m.mean_score)], [L('Totale score', 'Total score'), pv.result.upper_bound != null ? `${pv.result.total_score} (${L('bovengrens', 'bound')} ${pv.result.upper_bound})` : String(pv.result.total_score)]]),
    h('h3', {}, L('Gekoppeld per domein', 'Matched per domain')), domainBars(m.per_domain),
    h('h3', {}, L('Welke domeinen elkaar ontmoeten', 'Which domains meet')), domainMatrix(rows.map((r) => r.members.map((x) => pv.domains[x]))),
    h('h3', {}, L('Voorgestelde matches', 'Proposed matches')),
    table([L('Wie', 'Who'), L('Score', 'Score'), L('Waarom', 'Why'), ''], rows.map((r) => [
      r.label + (r.pinned ? ` (${L('vastgezet', 'pinned')})` : ''), String(r.score),
      r.reasons.filter((x) => x.points).map((x) => `${w.component(x.component)} +${x.points}`).join(', '),
      r.members.length === 2 && !r.pinned ? actionButton(L('Nooit samen', 'Never together'), async () => {
        await api('PUT', `/rounds/${round.id}/overrides`, { body: { pinned, excluded: [...excluded, r.members], note: overrides.note } });
        await refresh();
      }, 'secondary') : '']), L('Voorgestelde matches', 'Proposed matches')),
    pv.result.unmatched.length ? [h('h3', {}, L('Niet gekoppeld', 'Not matched')),
      table([L('Naam', 'Name'), L('Reden', 'Reason')], pv.result.unmatched.map((u) => [nameOf(pv.names, u.member), w.unmatched(u.reason)]))] : null,
    h('h2', { id: 'adjust', tabindex: '-1' }, L('Bijsturen', 'Adjust')),
    h('p', { class: 'hint' }, L('Elke wijziging berekent het voorstel opnieuw.', 'Every change computes the proposal again.')),
    overridesEditor(round, overrides, pv.names, refresh));
}

function publishedView(d, go, rerender) {
  const r = d.round;
  const rt = d.ratings;
  return h('div', {},
    r.metrics ? stats([[L('Doen mee', 'Eligible'), r.metrics.eligible], [L('Gekoppeld', 'Matched'), r.metrics.matched],
      [L('Matches', 'Matches'), r.metrics.matches], [L('Over domeinen heen', 'Cross-domain'), w.percent(r.metrics.cross_domain_share)]]) : null,
    h('h2', {}, L('Antwoorden', 'Answers')),
    table([L('Wie', 'Who'), L('Score', 'Score'), L('Ontmoetingen', 'Meetings'), L('Uren', 'Hours')], d.matches.map((m) => [
      h('ul', { class: 'reasons' }, m.members.map((x) => h('li', {}, x.display_name || L('een voormalig lid', 'a former member'), ` (${w.matchRole(x.role)}): `, w.response(x.response)))),
      String(m.score), String(m.meetings), String(m.hours)]), L('Antwoorden', 'Answers')),
    h('h2', {}, L('Beoordelingen', 'Ratings')),
    rt.count ? h('div', {}, stats([[L('Aantal', 'Count'), rt.count], [L('Gemiddeld', 'Mean'), rt.mean?.toFixed(1) ?? '—']]),
      h('p', {}, rt.distribution.map((n, i) => `${i + 1} ${i ? L('sterren', 'stars') : L('ster', 'star')}: ${n}`).join(' · ')),
      rt.comments.length ? h('ul', {}, rt.comments.map((c) => h('li', {}, c))) : null)
      : h('p', {}, L('Nog geen beoordelingen.', 'No ratings yet.')),
    r.status === 'published' ? h('div', { class: 'actions' },
      // Answers, meetings and ratings keep coming in after publishing.
      actionButton(L('Vernieuwen', 'Refresh'), async () => { rerender(); }, 'secondary'),
      actionButton(L('Aanvullen: nieuwe ronde voor wie nog vrij is', 'Top up: a new round for those still free'), async () => {
        const t = await api('POST', `/rounds/${r.id}/top-up`);
        go(`/rounds/${t.id}`);
      }, 'secondary')) : null);
}

export async function round({ params, go, rerender, flash }) {
  const id = encodeURIComponent(params.id);
  const d = await get(`/rounds/${id}`);
  const r = d.round;
  const section = h('section', {}, back(`/programmes/${r.programme_id}`, L('Programma', 'Programme')),
    h('h1', {}, `${L('Ronde', 'Round')} ${r.number}: ${w.kind(r.kind)}`),
    h('p', {}, h('span', { class: 'tag' }, w.roundStatus(r.status)), r.note ? ` ${r.note}` : '',
      r.reply_by ? ` · ${L('antwoorden uiterlijk', 'answers by')} ${w.dateTime(r.reply_by)}` : ''));
  if (r.status !== 'draft') {
    section.append(publishedView(d, go, rerender));
    return section;
  }
  const readiness = await get(`/rounds/${id}/readiness`);
  const previewBox = h('div', {});
  // A short status for screen readers; the proposal itself is not read out.
  const status = h('p', { role: 'status', class: 'sr-only' });
  // The proposal as it stands with the saved pins and exclusions; every
  // change to those computes it again.
  const showPreview = async (again) => {
    status.textContent = L('Bezig met rekenen…', 'Solving…');
    previewBox.replaceChildren(h('p', { class: 'loading' }, L('Bezig met rekenen…', 'Solving…')));
    try {
      const [pv, overrides] = await Promise.all([api('POST', `/rounds/${id}/preview`), get(`/rounds/${id}/overrides`)]);
      previewBox.replaceChildren(previewView(pv, r, overrides, () => showPreview(true)));
      status.textContent = L(`Voorstel klaar: ${pv.metrics.matches} matches.`, `Proposal ready: ${pv.metrics.matches} matches.`);
      if (again) previewBox.querySelector('#adjust')?.focus();
    } catch (e) {
      previewBox.replaceChildren(problemBox(e));
      status.textContent = '';
    }
  };
  section.append(h('h2', {}, L('Gereedheid', 'Readiness')), readinessView(readiness),
    h('div', { class: 'actions' },
      actionButton(L('Voorstel berekenen', 'Preview'), () => showPreview(false)),
      h('details', {}, h('summary', {}, L('Publiceren', 'Publish')),
        h('p', {}, L('Iedereen krijgt een e-mail met zijn of haar match. Dit kan niet terug.', 'Everyone gets an email with their match. This cannot be undone.')),
        actionButton(L('Ja, publiceer deze ronde', 'Yes, publish this round'), async () => {
          const pub = await api('POST', `/rounds/${id}/publish`);
          flash(L(`Gepubliceerd: ${pub.matches} matches, ${pub.emails} e-mails.`, `Published: ${pub.matches} matches, ${pub.emails} emails.`));
          rerender();
        })),
      actionButton(L('Ronde annuleren', 'Cancel round'), async () => { await api('POST', `/rounds/${id}/cancel`); rerender(); }, 'secondary')),
    status, previewBox);
  return section;
}

// ---- failed mail ---------------------------------------------------------

export async function failedMail({ query, rerender }) {
  const page = Number(query.get('page')) || 1;
  const p = await get('/mail/failed', { page, per_page: 25 });
  return h('section', {}, h('h1', {}, L('Mislukte e-mail', 'Failed mail')),
    p.items.length ? [table([L('Aangemaakt', 'Created'), L('Soort', 'Kind'), L('Aan', 'To'), L('Pogingen', 'Attempts'), L('Laatste fout', 'Last error')],
      p.items.map((m) => [w.dateTime(m.created_at), w.emailKind(m.kind), m.recipient, String(m.attempts), m.last_error || '']), L('Mislukte e-mail', 'Failed mail')),
    pager(p, (n) => { history.pushState(null, '', `/mail?page=${n}`); rerender(); })]
      : h('p', {}, L('Geen mislukte e-mail. Alles is aangekomen of nog onderweg.', 'No failed mail. Everything arrived or is on its way.')));
}

// ---- the learning network ------------------------------------------------

async function picture(path, query, alt) {
  const res = await api('GET', path, { query: { ...query, format: 'svg' }, raw: true, accept: 'image/svg+xml' });
  const url = URL.createObjectURL(await res.blob());
  return h('img', { class: 'picture', src: url, alt });
}

export async function network({ query, go }) {
  const scope = Object.fromEntries(['programme', 'from', 'until'].map((k) => [k, query.get(k)]).filter(([, v]) => v));
  const [progs, s, matrix, heat, graph] = await Promise.all([
    get('/programmes', { per_page: 100 }), get('/network/summary', scope), get('/network/domains', scope),
    picture('/network/domains', scope, L('Warmtekaart: hoeveel leerkoppelingen tussen elk paar domeinen; de tabel hieronder geeft dezelfde getallen.',
      'Heat map: learning links between each pair of domains; the table below gives the same numbers.')),
    picture('/network/graph', scope, L('Netwerk van domeinen: lijnen tussen domeinen waarvan leden elkaar ontmoetten.', 'Network of domains: lines between domains whose members met.')),
  ]);
  const scopeForm = h('form', { class: 'filters', 'aria-label': L('Bereik', 'Scope') },
    field(L('Programma', 'Programme'), select('programme', progs.items.map((p) => [p.id, p.name]), scope.programme || '', L('Alle', 'All'))),
    field(L('Vanaf', 'From'), input('from', 'date', { value: scope.from || '' })),
    field(L('Tot en met', 'Until'), input('until', 'date', { value: scope.until || '' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, L('Tonen', 'Show'))));
  scopeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(scopeForm);
    go(`/network?${new URLSearchParams(Object.fromEntries(['programme', 'from', 'until'].map((k) => [k, str(fd, k)]).filter(([, v]) => v)))}`);
  });
  const dl = (path, format, label, ext, extra = {}) => actionButton(label, async () => {
    await saveResponse(await api('GET', path, { query: { ...scope, ...extra, format }, raw: true, accept: '*/*' }), `buddymatch-network.${ext}`);
    return notice(L('Gedownload.', 'Downloaded.'));
  }, 'secondary');
  return h('section', {}, h('h1', {}, L('Het leernetwerk', 'The learning network')), scopeForm,
    stats([[L('Leden', 'Members'), s.members], [L('Bereikt', 'Reached'), s.members_reached], [L('Koppelingen ontmoet', 'Links met'), `${s.links.met} / ${s.links.proposed}`],
      [L('Over domeinen heen', 'Cross-domain'), w.percent(s.cross_domain.share)], [L('Domeinparen verbonden', 'Domain pairs connected'), `${s.domain_pairs.connected} / ${s.domain_pairs.possible}`],
      [L('Geïsoleerd', 'Isolated'), s.isolated_members], [L('Uren', 'Hours'), s.links.hours]]),
    h('h2', {}, L('Tussen welke domeinen', 'Between which domains')), heat,
    table([L('Domeinen', 'Domains'), L('Voorgesteld', 'Proposed'), L('Geaccepteerd', 'Accepted'), L('Ontmoet', 'Met'), L('Uren', 'Hours')],
      matrix.cells.map((c) => [c.domains.map(w.domain).join(' – '), String(c.proposed), String(c.accepted), String(c.met), String(c.hours)]), L('Domeinmatrix', 'Domain matrix')),
    h('h2', {}, L('Netwerk van domeinen', 'Network of domains')), graph,
    h('h2', {}, L('Downloaden', 'Download')),
    h('div', { class: 'actions' },
      dl('/network/domains', 'csv', L('Matrix (CSV)', 'Matrix (CSV)'), 'csv'),
      dl('/network/graph', 'graphml', 'GraphML', 'graphml'), dl('/network/graph', 'gexf', 'GEXF', 'gexf'),
      dl('/network/graph', 'json', 'JSON', 'json'), dl('/network/domains', 'png', L('Warmtekaart (PNG)', 'Heat map (PNG)'), 'png'),
      dl('/network/rounds', 'pdf', L('Rapport per ronde (PDF)', 'Report per round (PDF)'), 'pdf')));
}
