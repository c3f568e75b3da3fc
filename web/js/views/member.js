// A member's pages: matches with their reasons, the profile, appointments,
// meetings and the learning record, reminders and the account.
import { h, field, select, checkboxes, checkbox, table, saveResponse } from '../dom.js';
import * as w from '../i18n.js';
import { L } from '../i18n.js';
import { api, get, user, setUser, dropSession, login as logIn } from '../api.js';
import { form, notice, actionButton, pager, all, str, num } from '../ui.js';

const input = (name, type, extra = {}) => h('input', { name, type, ...extra });
const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Amsterdam' });

/**
 * A wall-clock time typed in Amsterdam ("2026-12-20T10:00") as an instant
 * (RFC 3339, UTC), whatever the device's own zone; "" stays "" so the API
 * names the field.
 */
function amsterdamInstant(local) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local);
  if (!m) return local;
  const [y, mo, d, hh, mm] = m.slice(1).map(Number);
  const guess = Date.UTC(y, mo - 1, d, hh, mm);
  // Amsterdam's offset at that moment (one or two hours), read from Intl.
  const offset = (at) => {
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Amsterdam', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    }).formatToParts(new Date(at)).map((x) => [x.type, x.value]));
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute) - at;
  };
  const first = guess - offset(guess);
  return new Date(guess - offset(first)).toISOString();
}

// ---- matches -------------------------------------------------------------

/** A reason in words, naming people only as the match card does. */
function reasonWords(r, m) {
  const me = user().id;
  const group = m.kind === 'intervision';
  const other = (id) => m.counterparts.find((c) => c.user_id === id)?.display_name;
  const topics = w.listWords((r.topics || []).map(w.topic));
  switch (r.component) {
    case 'cross_domain': return group ? L('Jullie groep komt uit verschillende domeinen', 'Your group comes from different domains')
      : L('Jullie werken in verschillende domeinen', 'You work in different domains');
    case 'cross_profession': return L('Jullie hebben verschillende beroepen', 'You have different professions');
    case 'novelty': return L('Je leert iemand kennen uit een domein dat nieuw voor je is', 'You meet someone from a domain new to you');
    case 'complementary_experience': return L('Jullie ervaring vult elkaar aan', 'Your experience complements each other');
    case 'topics':
      if (!topics) return null;
      if (r.learner === me) return L(`Jij wilt leren over ${topics}, en dat kan hier`, `You want to learn about ${topics}, and can here`);
      if (r.learner && other(r.learner)) return L(`${other(r.learner)} wil leren over ${topics}, waar jij iets over weet`, `${other(r.learner)} wants to learn about ${topics}, which you know about`);
      return L(`Jullie delen belangstelling voor ${topics}`, `You share an interest in ${topics}`);
    case 'in_person': return L('Afspreken op locatie is voor jullie haalbaar', 'Meeting in person is within your travel range');
    case 'online': return L('Jullie willen allebei online afspreken', 'You both want to meet online');
    case 'hours_headroom': return L('Jullie hebben allebei tijd over', 'You both have time to spare');
    case 'shared_language': return L('Jullie spreken een gedeelde taal', 'You share a language');
    case 'base': return null;
    default: return w.component(r.component);
  }
}

function responseTag(r) {
  const cls = { accepted: 'ok', declined: 'bad', expired: 'bad', pending: 'wait' }[r] || '';
  return h('span', { class: `tag ${cls}` }, w.response(r));
}

function counterpart(c) {
  const bits = [c.domain && w.domain(c.domain), c.profession && w.profession(c.profession), c.province && w.province(c.province)].filter(Boolean);
  return h('li', {}, h('strong', {}, c.display_name), ` (${w.matchRole(c.role)}) `, responseTag(c.response),
    bits.length ? h('div', {}, bits.join(' · ')) : null,
    c.email ? h('div', {}, h('a', { href: `mailto:${c.email}` }, c.email)) : null,
    c.phone ? h('div', {}, h('a', { href: `tel:${c.phone}` }, c.phone)) : null);
}

function matchCard(m, rerender, flash) {
  const reasons = m.reasons.map((r) => reasonWords(r, m)).filter(Boolean);
  const card = h('article', { class: 'card', 'aria-labelledby': `m-${m.id}` },
    h('h2', { id: `m-${m.id}` }, `${w.kind(m.kind)} · ${L('ronde', 'round')} ${m.round.number}`),
    m.round.note ? h('p', {}, m.round.note) : null,
    h('p', {}, L('Jouw rol: ', 'Your role: '), w.matchRole(m.role), ' · ', L('Jouw antwoord: ', 'Your answer: '), responseTag(m.response)),
    m.round.status === 'cancelled' ? notice(L('Deze ronde is geannuleerd.', 'This round was cancelled.')) : null,
    h('h3', {}, L('Met wie', 'With whom')), h('ul', {}, m.counterparts.map(counterpart)),
    reasons.length ? [h('h3', {}, L('Waarom deze match', 'Why this match')), h('ul', { class: 'reasons' }, reasons.map((r) => h('li', {}, r)))] : null,
    m.meeting_mode ? h('p', {}, L('Afspreken: ', 'Meeting: '), w.mode(m.meeting_mode)) : null);
  if (m.response === 'declined' && m.decline_reason) {
    card.append(h('p', {}, L('Jouw reden (alleen jij ziet die): ', 'Your reason (only you see it): '), m.decline_reason));
  }
  if (m.round.status !== 'published') return card;
  if (m.response === 'pending') card.append(answerForms(m, rerender, flash));
  if (m.response === 'accepted') card.append(acceptedTools(m, rerender));
  return card;
}

function answerForms(m, rerender, flash) {
  const box = h('div', {},
    actionButton(L('Accepteren', 'Accept'), async () => {
      await api('POST', `/me/matches/${m.id}/accept`);
      flash(L('Je hebt de match geaccepteerd.', 'You accepted the match.'));
      rerender();
    }));
  box.append(h('details', {}, h('summary', {}, L('Afwijzen', 'Decline')),
    form({ 'aria-label': L('Afwijzen', 'Decline') }, [
      field(L('Reden (mag leeg blijven)', 'Reason (optional)'), h('textarea', { name: 'reason', maxlength: 500 }),
        L('Alleen jij ziet je reden; je match en de coördinator krijgen hem niet te zien.', 'Only you see your reason; neither your match nor the coordinator does.')),
    ], L('Afwijzen', 'Decline'), async (fd) => {
      const reason = str(fd, 'reason');
      await api('POST', `/me/matches/${m.id}/decline`, { body: reason ? { reason } : {} });
      flash(L('Je hebt de match afgewezen.', 'You declined the match.'));
      rerender();
    })));
  return box;
}

function acceptedTools(m, rerender) {
  const tools = h('div', {});
  if (m.kind === 'intervision') {
    const people = [[user().id, L('Ikzelf', 'Me')], ...m.counterparts.filter((c) => c.user_id).map((c) => [c.user_id, c.display_name])];
    tools.append(h('details', {}, h('summary', {}, L('Wie roept de groep bijeen?', 'Who convenes the group?')),
      form({}, [field(L('Bijeenroeper', 'Convener'), select('user_id', people, m.convener || '', '—'))], L('Opslaan', 'Save'), async (fd) => {
        await api('PUT', `/me/matches/${m.id}/convener`, { body: { user_id: str(fd, 'user_id') } });
        rerender();
      })));
  }
  tools.append(h('details', {}, h('summary', {}, L('Afspraak voorstellen', 'Propose an appointment')),
    form({ 'aria-label': L('Afspraak voorstellen', 'Propose an appointment') }, [
      field(L('Begin (Nederlandse tijd)', 'Starts at (Dutch time)'), input('starts_at', 'datetime-local', { required: true })),
      field(L('Duur in minuten', 'Duration in minutes'), input('duration_minutes', 'number', { min: 15, max: 480, value: 60, required: true })),
      field(L('Vorm', 'Mode'), select('mode', [['in_person', w.mode('in_person')], ['online', w.mode('online')]], 'in_person')),
      field(L('Locatie', 'Location'), input('location', 'text')),
      field(L('Link voor online', 'Online link'), input('online_url', 'url')),
      field(L('Notitie', 'Note'), h('textarea', { name: 'note' })),
    ], L('Voorstellen', 'Propose'), async (fd) => {
      const body = { starts_at: amsterdamInstant(str(fd, 'starts_at')), duration_minutes: num(fd, 'duration_minutes'), mode: str(fd, 'mode') };
      for (const k of ['location', 'online_url', 'note']) if (str(fd, k)) body[k] = str(fd, k);
      await api('POST', `/me/matches/${m.id}/appointments`, { body });
      return notice(L('Afspraak verstuurd; iedereen krijgt een agenda-uitnodiging.', 'Appointment sent; everyone gets a calendar invitation.'));
    })));
  tools.append(h('details', {}, h('summary', {}, L('Ontmoeting vastleggen', 'Record a meeting')), meetingForm(m.id)));
  tools.append(h('details', {}, h('summary', {}, L('Beoordelen', 'Rate this match')),
    form({ 'aria-label': L('Beoordelen', 'Rate this match') }, [
      field(L('Sterren (1 tot 5)', 'Stars (1 to 5)'), select('stars', [5, 4, 3, 2, 1].map((s) => [String(s), s === 1 ? L('1 ster', '1 star') : L(`${s} sterren`, `${s} stars`)]), '5')),
      field(L('Opmerking (alleen de coördinator ziet die)', 'Comment (only the coordinator sees it)'), h('textarea', { name: 'comment', maxlength: 1000 })),
    ], L('Opslaan', 'Save'), async (fd) => {
      await api('PUT', `/me/matches/${m.id}/rating`, { body: { stars: num(fd, 'stars'), comment: str(fd, 'comment') } });
      return notice(L('Dank je, je beoordeling is opgeslagen.', 'Thank you, your rating is saved.'));
    })));
  return tools;
}

function meetingForm(matchId, preset = {}) {
  return form({ 'aria-label': L('Ontmoeting vastleggen', 'Record a meeting') }, [
    field(L('Datum', 'Date'), input('date', 'date', { required: true, value: preset.date || today(), max: today() })),
    field(L('Uren', 'Hours'), input('hours', 'number', { min: 1, max: 12, required: true, value: preset.hours || 1 })),
    field(L('Reflectie: wat heb je geleerd?', 'Reflection: what did you learn?'), h('textarea', { name: 'reflection', required: true, minlength: 20, maxlength: 2000 }),
      L('Komt in je leerdossier en portfolio; niemand anders ziet het.', 'Goes into your learning record and portfolio; nobody else sees it.')),
  ], L('Vastleggen', 'Record'), async (fd, f) => {
    await api('POST', `/me/matches/${matchId}/meetings`, { body: { date: str(fd, 'date'), hours: num(fd, 'hours'), reflection: str(fd, 'reflection') } });
    f.reset();
    return notice(L('Vastgelegd in je leerdossier.', 'Recorded in your learning record.'));
  });
}

/** One of my matches, looked for page by page (the API has no single-match read). */
async function findMatch(id) {
  for (let page = 1; ; page++) {
    const p = await get('/me/matches', { page, per_page: 100 });
    const m = p.items.find((x) => x.id === id);
    if (m || page * p.per_page >= p.total) return m || null;
  }
}

export async function matches({ rerender, query, flash }) {
  const page = Number(query.get('page')) || 1;
  const p = await get('/me/matches', { page, per_page: 20 });
  const section = h('section', {}, h('h1', {}, L('Mijn matches', 'My matches')));
  if (!user().email_verified) {
    section.append(notice(L('Bevestig eerst je e-mailadres; pas dan word je gekoppeld.', 'Confirm your email address first; only then are you matched.')));
  }
  if (!p.items.length) {
    section.append(h('p', {}, L('Nog geen matches. Zorg dat je ', 'No matches yet. Make sure your '),
      h('a', { href: '/profile' }, L('leerprofiel', 'learning profile')), L(' klopt; je krijgt een e-mail zodra er een ronde is.', ' is up to date; you get an email when a round is published.')));
  }
  section.append(...p.items.map((m) => matchCard(m, rerender, flash)));
  if (p.total > p.per_page) section.append(pager(p, (n) => { history.pushState(null, '', `/matches?page=${n}`); rerender(); }));
  return section;
}

export async function matchPage({ params, query, rerender, flash }) {
  const m = await findMatch(params.id);
  // Logged in as someone else than the link was for: its own page acts on it.
  if (!m && query.get('token')) {
    location.replace(`/pages/matches/${encodeURIComponent(params.id)}?token=${encodeURIComponent(query.get('token'))}`);
    return null;
  }
  if (!m) return h('section', {}, h('h1', {}, L('Match niet gevonden', 'Match not found')), h('p', {}, h('a', { href: '/matches' }, L('Alle matches', 'All matches'))));
  return h('section', {}, h('h1', {}, L('Jouw match', 'Your match')), matchCard(m, rerender, flash), h('p', {}, h('a', { href: '/matches' }, L('Alle matches', 'All matches'))));
}

// ---- profile -------------------------------------------------------------

export async function profile() {
  const [p, sharing] = await Promise.all([
    get('/me/profile').catch((e) => { if (e.code === 'profile_not_found') return null; throw e; }),
    get('/me/sharing'),
  ]);
  const v = p || {
    domain: '', profession: '', experience: 0, registration: 'none', province: '', languages: ['nl'], forms: ['buddy'],
    host_capacity: 0, hours_per_month: 4, meeting_modes: ['in_person', 'online'], max_travel_km: 50,
    topics_wanted: [], topics_offered: [], learning_goal: '', paused: false, offers_to_convene: false, organisation: '', team: '',
  };
  const training = v.experience === 'in_training';
  return h('section', {}, h('h1', {}, L('Mijn leerprofiel', 'My learning profile')),
    p ? null : h('div', { class: 'notice no-profile' }, L('Je hebt nog geen profiel. Vul het in om mee te doen aan rondes.', 'You have no profile yet. Fill it in to take part in rounds.')),
    form({ 'aria-label': L('Leerprofiel', 'Learning profile') }, [
      h('fieldset', {}, h('legend', {}, L('Over je werk', 'About your work')),
        field(L('Domein', 'Domain'), select('domain', w.domain.options(), v.domain, L('Kies…', 'Choose…'))),
        field(L('Beroep', 'Profession'), select('profession', w.profession.options(), v.profession, L('Kies…', 'Choose…'))),
        field(L('Jaren ervaring', 'Years of experience'), input('experience', 'number', { min: 0, max: 60, value: training ? 0 : v.experience })),
        checkbox(L('Ik ben in opleiding', 'I am in training'), 'in_training', training),
        field(L('Registratie', 'Registration'), select('registration', w.registration.options(), v.registration)),
        field(L('Provincie', 'Province'), select('province', w.province.options(), v.province, L('Kies…', 'Choose…'))),
        field(L('Organisatie', 'Organisation'), input('organisation', 'text', { value: v.organisation || '' }),
          L('Gebruikt om je niet met directe collega\'s te koppelen.', 'Used to avoid matching you with close colleagues.')),
        field(L('Team', 'Team'), input('team', 'text', { value: v.team || '' }))),
      h('fieldset', {}, h('legend', {}, L('Hoe je wilt leren', 'How you want to learn')),
        checkboxes(L('Vormen', 'Forms'), 'forms', w.form.options(), v.forms),
        field(L('Uren per maand', 'Hours per month'), input('hours_per_month', 'number', { min: 0, max: 80, value: v.hours_per_month })),
        field(L('Hoeveel bezoekers kun je ontvangen?', 'How many visitors can you host?'), input('host_capacity', 'number', { min: 0, max: 10, value: v.host_capacity })),
        checkboxes(L('Afspreken', 'Meeting'), 'meeting_modes', [['in_person', w.mode('in_person')], ['online', w.mode('online')]], v.meeting_modes),
        field(L('Maximale reisafstand (km)', 'Furthest you will travel (km)'), input('max_travel_km', 'number', { min: 0, max: 400, value: v.max_travel_km })),
        field(L('Talen (codes, gescheiden door komma\'s)', 'Languages (codes, separated by commas)'), input('languages', 'text', { value: v.languages.join(', ') }), 'nl, en'),
        checkbox(L('Ik wil een intervisiegroep bijeenroepen', 'I offer to convene an intervision group'), 'offers_to_convene', v.offers_to_convene),
        checkbox(L('Pauzeer mij: even geen nieuwe matches', 'Pause me: no new matches for now'), 'paused', v.paused)),
      checkboxes(L('Waar wil je over leren?', 'What do you want to learn about?'), 'topics_wanted', w.topicOptions(), v.topics_wanted),
      checkboxes(L('Waar kun je anderen over vertellen?', 'What can you tell others about?'), 'topics_offered', w.topicOptions(), v.topics_offered),
      field(L('Je leerdoel', 'Your learning goal'), h('textarea', { name: 'learning_goal', maxlength: 500, value: v.learning_goal })),
      sharingFields(sharing),
    ], L('Profiel opslaan', 'Save profile'), async (fd) => {
      const body = {
        domain: str(fd, 'domain'), profession: str(fd, 'profession'), registration: str(fd, 'registration'), province: str(fd, 'province'),
        experience: fd.get('in_training') ? 'in_training' : num(fd, 'experience'),
        languages: str(fd, 'languages').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
        forms: all(fd, 'forms'), host_capacity: num(fd, 'host_capacity'), hours_per_month: num(fd, 'hours_per_month'),
        meeting_modes: all(fd, 'meeting_modes'), max_travel_km: num(fd, 'max_travel_km'),
        topics_wanted: all(fd, 'topics_wanted'), topics_offered: all(fd, 'topics_offered'), learning_goal: str(fd, 'learning_goal'),
        paused: !!fd.get('paused'), offers_to_convene: !!fd.get('offers_to_convene'),
      };
      // Left out when empty: a replace clears what it does not name.
      for (const k of ['organisation', 'team']) if (str(fd, k)) body[k] = str(fd, k);
      body.sharing = sharingChoice(fd);
      await api('PUT', '/me/profile', { body });
      document.querySelector('.no-profile')?.remove();
      return notice(L('Je profiel is opgeslagen.', 'Your profile is saved.'));
    }));
}

/** What accepted matches may see of the member; a new profile must choose. */
function sharingFields(sharing) {
  return h('fieldset', {}, h('legend', {}, L('Wat je matches van je zien', 'What your matches see of you')),
    h('p', { class: 'hint' }, L('Alleen wie een match met jou heeft geaccepteerd ziet wat je hier aanzet; je naam, domein en beroep zien ze altijd.',
      'Only people who accepted a match with you see what you switch on here; they always see your name, domain and profession.')),
    checkbox(L('Mijn e-mailadres', 'My email address'), 'share_email', sharing.share_email),
    field(L('Telefoonnummer', 'Phone number'), input('phone', 'tel', { value: sharing.phone || '', autocomplete: 'tel' })),
    checkbox(L('Mijn telefoonnummer', 'My phone number'), 'share_phone', sharing.share_phone),
    checkbox(L('Mijn provincie', 'My province'), 'share_province', sharing.share_province));
}

function sharingChoice(fd) {
  const c = { share_email: !!fd.get('share_email'), share_phone: !!fd.get('share_phone'), share_province: !!fd.get('share_province') };
  if (str(fd, 'phone')) c.phone = str(fd, 'phone');
  return c;
}

// ---- appointments --------------------------------------------------------

function appointmentCard(a, rerender, flash) {
  const cancelled = a.status === 'cancelled';
  return h('article', { class: 'card' },
    h('h2', {}, w.dateTime(a.starts_at), ` · ${a.duration_minutes} min`),
    h('p', {}, w.mode(a.mode), a.location ? ` · ${a.location}` : '', ' ', cancelled ? h('span', { class: 'tag bad' }, L('Geannuleerd', 'Cancelled')) : null),
    a.online_url ? h('p', {}, h('a', { href: a.online_url, rel: 'noopener noreferrer' }, a.online_url)) : null,
    a.note ? h('p', {}, a.note) : null,
    h('p', {}, L('Met: ', 'With: '), a.attendees.filter((x) => !x.me).map((x) => x.name).join(', ')),
    cancelled ? null : actionButton(L('Annuleren', 'Cancel'), async () => {
      await api('DELETE', `/me/appointments/${a.id}`);
      flash(L('De afspraak is geannuleerd; iedereen krijgt bericht.', 'The appointment is cancelled; everyone is told.'));
      rerender();
    }, 'secondary'),
    !cancelled && a.record_meeting ? h('details', {}, h('summary', {}, L('Deze ontmoeting vastleggen', 'Record this meeting')), meetingForm(a.match_id, a.record_meeting)) : null);
}

export async function appointments({ query, rerender, flash }) {
  const page = Number(query.get('page')) || 1;
  const p = await get('/me/appointments', { page, per_page: 20 });
  return h('section', {}, h('h1', {}, L('Afspraken', 'Appointments')),
    p.items.length ? p.items.map((a) => appointmentCard(a, rerender, flash))
      : h('p', {}, L('Nog geen afspraken. Stel er een voor bij een geaccepteerde match.', 'No appointments yet. Propose one on an accepted match.')),
    p.total > p.per_page ? pager(p, (n) => { history.pushState(null, '', `/appointments?page=${n}`); rerender(); }) : null,
    h('h2', {}, L('In je eigen agenda', 'In your own calendar')),
    h('p', {}, L('Een privé-adres dat je agenda-app kan volgen. Een nieuw adres maakt het oude ongeldig.', 'A private address your calendar app can follow. A new address makes the old one stop working.')),
    actionButton(L('Maak een agenda-adres', 'Make a calendar address'), async () => {
      const f = await api('POST', '/me/calendar-feed');
      return h('p', {}, h('code', {}, f.https_url || f.url));
    }, 'secondary'));
}

export async function appointmentPage({ params, rerender, flash }) {
  const a = await get(`/me/appointments/${encodeURIComponent(params.id)}`);
  return h('section', {}, h('h1', {}, L('Afspraak', 'Appointment')), appointmentCard(a, rerender, flash),
    h('p', {}, h('a', { href: '/appointments' }, L('Alle afspraken', 'All appointments'))));
}

// ---- learning record and portfolio ---------------------------------------

export async function record({ query, rerender }) {
  const page = Number(query.get('page')) || 1;
  const p = await get('/me/learning-record', { page, per_page: 25 });
  const download = (format, name) => actionButton(name, async () => {
    const res = await api('GET', '/me/portfolio', { query: { format }, raw: true, accept: format === 'csv' ? 'text/csv' : 'application/pdf' });
    await saveResponse(res, `portfolio.${format}`);
    return notice(L('Gedownload.', 'Downloaded.'));
  }, 'secondary');
  return h('section', {}, h('h1', {}, L('Mijn leerdossier', 'My learning record')),
    h('p', {}, L('Je ontmoetingen en reflecties. Het portfolio is een PDF voor je registratie (bijvoorbeeld bij het register).', 'Your meetings and reflections. The portfolio is a PDF for your professional registration.')),
    h('div', { class: 'actions' }, download('pdf', L('Portfolio downloaden (PDF)', 'Download portfolio (PDF)')), download('csv', L('Als CSV', 'As CSV'))),
    p.items.length ? table([L('Datum', 'Date'), L('Vorm', 'Form'), L('Ronde', 'Round'), L('Uren', 'Hours'), L('Reflectie', 'Reflection')],
      p.items.map((m) => [w.date(m.date), w.kind(m.kind), String(m.round), String(m.hours), m.reflection]), L('Ontmoetingen', 'Meetings'))
      : h('p', {}, L('Nog geen ontmoetingen vastgelegd.', 'No meetings recorded yet.')),
    p.total > p.per_page ? pager(p, (n) => { history.pushState(null, '', `/record?page=${n}`); rerender(); }) : null);
}

// ---- reminders -----------------------------------------------------------

export async function notifications() {
  const s = await get('/me/notifications');
  const items = [
    ['answer_pending', L('Herinnering als ik nog niet heb geantwoord', 'Reminder when I have not answered yet')],
    ['no_meeting_yet', L('Herinnering als we nog niet hebben afgesproken', 'Reminder when we have not met yet')],
    ['reflection_due', L('Herinnering om een reflectie te schrijven', 'Reminder to write a reflection')],
    ['next_session', L('Herinnering voor de volgende bijeenkomst', 'Reminder before the next session')],
  ];
  return h('section', {}, h('h1', {}, L('Herinneringen', 'Reminders')),
    form({ 'aria-label': L('Herinneringen', 'Reminders') }, [
      h('fieldset', {}, h('legend', {}, L('Welke e-mails wil je krijgen?', 'Which emails do you want?')), items.map(([k, t]) => checkbox(t, k, s[k]))),
    ], L('Opslaan', 'Save'), async (fd) => {
      const body = Object.fromEntries(items.map(([k]) => [k, !!fd.get(k)]));
      await api('PUT', '/me/notifications', { body });
      return notice(L('Opgeslagen.', 'Saved.'));
    }));
}

// ---- account -------------------------------------------------------------

export async function account({ go }) {
  const [me, programmes] = await Promise.all([get('/me'), get('/me/programmes')]);
  setUser(me);
  const section = h('section', {}, h('h1', {}, L('Mijn account', 'My account')),
    table([L('Naam', 'Name'), L('E-mailadres', 'Email address'), L('Rol', 'Role')], [[me.display_name, me.email, w.role(me.role)]], L('Account', 'Account')));
  if (!me.email_verified) {
    section.append(notice(L('Je e-mailadres is nog niet bevestigd.', 'Your email address is not confirmed yet.')),
      actionButton(L('Stuur de bevestigingsmail opnieuw', 'Send the confirmation email again'), async () => {
        await api('POST', '/me/verification-email');
        return notice(L('Verstuurd.', 'Sent.'));
      }, 'secondary'));
  }
  section.append(h('h2', {}, L('Programma\'s', 'Programmes')),
    programmes.length ? h('ul', {}, programmes.map((p) => h('li', {}, p.name, ' ',
      actionButton(L('Verlaten', 'Leave'), async () => { await api('DELETE', `/programmes/${p.id}/membership`); go('/account', true); }, 'secondary'))))
      : h('p', {}, L('Je doet nog niet mee aan een programma.', 'You are not in any programme yet.')));
  section.append(h('h2', {}, L('Wachtwoord wijzigen', 'Change password')),
    form({ 'aria-label': L('Wachtwoord wijzigen', 'Change password') }, [
      field(L('Huidig wachtwoord', 'Current password'), input('current_password', 'password', { required: true, autocomplete: 'current-password' })),
      field(L('Nieuw wachtwoord', 'New password'), input('new_password', 'password', { required: true, autocomplete: 'new-password', minlength: 8 })),
    ], L('Wijzigen', 'Change'), async (fd, f) => {
      const next = String(fd.get('new_password'));
      await api('POST', '/me/password', { body: { current_password: String(fd.get('current_password')), new_password: next } });
      // The change ends every login, this one too: log in again with it.
      await logIn(me.email, next);
      f.reset();
      return notice(L('Je wachtwoord is gewijzigd; je andere apparaten zijn uitgelogd.', 'Your password has been changed; your other devices are logged out.'));
    }));
  section.append(h('h2', {}, L('Mijn gegevens', 'My data')),
    h('p', {}, L('Alles wat buddymatch over je bewaart, in één JSON-bestand.', 'Everything buddymatch keeps about you, in one JSON file.')),
    actionButton(L('Mijn gegevens downloaden', 'Download my data'), async () => {
      await saveResponse(await api('GET', '/me/export', { raw: true }), 'buddymatch-export.json');
      return notice(L('Gedownload.', 'Downloaded.'));
    }, 'secondary'));
  section.append(h('h2', {}, L('Account verwijderen', 'Erase my account')),
    form({ 'aria-label': L('Account verwijderen', 'Erase my account') }, [
      h('p', {}, L('Je account, profiel en leerdossier worden gewist. Je matches zien daarna "een voormalig lid". Dit kan niet ongedaan worden.',
        'Your account, profile and learning record are erased. Your matches then see "a former member". This cannot be undone.')),
      field(L('Wachtwoord ter bevestiging', 'Password to confirm'), input('password', 'password', { required: true, autocomplete: 'current-password' })),
    ], L('Definitief verwijderen', 'Erase for good'), async (fd) => {
      await api('DELETE', '/me', { body: { password: String(fd.get('password')) } });
      dropSession();
      go('/', true);
    }));
  section.querySelectorAll('form:last-of-type button[type=submit]').forEach((b) => b.classList.add('danger'));
  return section;
}

