// Dutch by default, English on request; the choice is kept in this browser.
// Texts sit side by side as L('nl', 'en') so a missing translation shows.

const KEY = 'buddymatch.locale';
let locale = (() => {
  try { return localStorage.getItem(KEY) === 'en' ? 'en' : 'nl'; } catch { return 'nl'; }
})();

export const getLocale = () => locale;
export function setLocale(l) {
  locale = l === 'en' ? 'en' : 'nl';
  try { localStorage.setItem(KEY, locale); } catch { /* private mode: this visit only */ }
  document.documentElement.lang = locale;
}
document.documentElement.lang = locale;

export const L = (nl, en) => (locale === 'en' ? en : nl);

const pairs = (o) => Object.entries(o).map(([k, [nl, en]]) => [k, nl, en]);
function table(o) {
  const rows = pairs(o);
  const f = (v) => { const r = rows.find((x) => x[0] === v); return r ? L(r[1], r[2]) : String(v ?? ''); };
  f.options = () => rows.map(([k, nl, en]) => [k, L(nl, en)]);
  return f;
}

export const domain = table({
  uwv: ['UWV', 'UWV'], self_employed: ['Zelfstandige', 'Self-employed'],
  advisory_firm: ['Adviesbureau', 'Advisory firm'], municipality: ['Gemeente', 'Municipality'],
  occupational_health: ['Arbodienst of re-integratiebedrijf', 'Occupational health or re-integration'],
  in_house_employer: ['Werkgever (in dienst)', 'In-house at an employer'], insurer: ['Verzekeraar', 'Insurer'],
  other: ['Overig', 'Other'],
});
export const profession = table({
  labour_expert: ['Arbeidsdeskundige', 'Labour expert'], company_doctor: ['Bedrijfsarts', 'Company doctor'],
  insurance_physician: ['Verzekeringsarts', 'Insurance physician'], case_manager: ['Casemanager', 'Case manager'],
  reintegration_coach: ['Re-integratiecoach', 'Re-integration coach'],
  work_health_psychologist: ['A&G-psycholoog', 'Work-and-health psychologist'], other: ['Overig', 'Other'],
});
export const province = table({
  groningen: ['Groningen', 'Groningen'], friesland: ['Friesland', 'Friesland'], drenthe: ['Drenthe', 'Drenthe'],
  overijssel: ['Overijssel', 'Overijssel'], flevoland: ['Flevoland', 'Flevoland'], gelderland: ['Gelderland', 'Gelderland'],
  utrecht: ['Utrecht', 'Utrecht'], noord_holland: ['Noord-Holland', 'North Holland'],
  zuid_holland: ['Zuid-Holland', 'South Holland'], zeeland: ['Zeeland', 'Zeeland'],
  noord_brabant: ['Noord-Brabant', 'North Brabant'], limburg: ['Limburg', 'Limburg'],
});
export const registration = table({
  none: ['Niet geregistreerd', 'Not registered'], registered: ['Geregistreerd', 'Registered'],
  certified: ['Gecertificeerd', 'Certified'],
});
export const form = table({
  buddy: ['Buddykoppel', 'Buddy pair'], intervision: ['Intervisiegroep', 'Intervision group'],
  shadowing_visitor: ['Meelopen bij een ander', 'Shadow someone'],
  shadowing_host: ['Iemand laten meelopen', 'Host a shadowing visit'],
});
export const mode = table({
  in_person: ['Op locatie', 'In person'], online: ['Online', 'Online'], mixed: ['Gemengd', 'Mixed'],
});
export const kind = table({
  buddy: ['Buddykoppel', 'Buddy pair'], shadowing: ['Meeloopbezoek', 'Shadowing visit'],
  intervision: ['Intervisiegroep', 'Intervision group'],
});
export const role = table({
  member: ['Lid', 'Member'], coordinator: ['Coördinator', 'Coordinator'], admin: ['Beheerder', 'Admin'],
});
export const matchRole = table({
  buddy: ['Buddy', 'Buddy'], host: ['Gastheer/gastvrouw', 'Host'], visitor: ['Bezoeker', 'Visitor'],
  member: ['Groepslid', 'Group member'],
});
export const response = table({
  pending: ['Nog geen antwoord', 'No answer yet'], accepted: ['Geaccepteerd', 'Accepted'],
  declined: ['Afgewezen', 'Declined'], expired: ['Verlopen', 'Expired'],
});
export const roundStatus = table({
  draft: ['Concept', 'Draft'], published: ['Gepubliceerd', 'Published'], cancelled: ['Geannuleerd', 'Cancelled'],
});
export const unmatched = table({
  paused: ['Gepauzeerd', 'Paused'], insufficient_hours: ['Te weinig uren', 'Too few hours'],
  hours_committed: ['Uren al besteed', 'Hours already committed'], no_host_capacity: ['Geen gastplaatsen', 'No host places'],
  no_compatible_candidate: ['Geen passende kandidaat', 'No compatible candidate'], odd_one_out: ['Oneven aantal', 'Odd one out'],
  host_capacity: ['Gastplaatsen vol', 'Host places full'], no_visitor: ['Geen bezoeker', 'No visitor'],
  no_feasible_group: ['Geen haalbare groep', 'No feasible group'], left_out_for_score: ['Buiten de beste indeling', 'Left out for the best score'],
  left_out_for_coverage_limit: ['Buiten de dekkingsgrens', 'Left out by the coverage limit'],
  left_out_by_region_split: ['Buiten de regio-indeling', 'Left out by the region split'],
  no_profile: ['Geen profiel', 'No profile'], unverified: ['E-mailadres niet bevestigd', 'Email not verified'],
  outside_cohort: ['Buiten de doelgroep', 'Outside the cohort'],
});
export const component = table({
  base: ['Basis', 'Base'], cross_domain: ['Ander domein', 'Other domain'], cross_profession: ['Ander beroep', 'Other profession'],
  novelty: ['Nieuw contact', 'New contact'], complementary_experience: ['Aanvullende ervaring', 'Complementary experience'],
  topics: ['Onderwerpen', 'Topics'], in_person: ['Op locatie haalbaar', 'In person feasible'], online: ['Allebei online', 'Both online'],
  hours_headroom: ['Tijd over', 'Time to spare'], shared_language: ['Gedeelde taal', 'Shared language'],
});

export const emailKind = table({
  verify_email: ['Adres bevestigen', 'Confirm address'], reset_password: ['Wachtwoord herstellen', 'Reset password'],
  match_proposed: ['Match voorgesteld', 'Match proposed'], match_declined: ['Match afgewezen', 'Match declined'],
  round_cancelled: ['Ronde geannuleerd', 'Round cancelled'], account_exists: ['Account bestaat al', 'Account exists'],
  match_accepted: ['Match geaccepteerd', 'Match accepted'], round_unmatched: ['Niet gekoppeld', 'Not matched'],
  answer_reminder: ['Herinnering: antwoorden', 'Reminder: answer'], answer_expired: ['Antwoordtermijn verlopen', 'Answer expired'],
  appointment: ['Afspraak', 'Appointment'], meeting_reminder: ['Herinnering: afspreken', 'Reminder: meet'],
  reflection_reminder: ['Herinnering: reflectie', 'Reminder: reflection'], session_reminder: ['Herinnering: bijeenkomst', 'Reminder: session'],
  programme_invitation: ['Uitnodiging voor een programma', 'Programme invitation'],
});
export const warning = table({
  nobody_takes_part: ['Niemand doet mee', 'Nobody takes part'], unverified: ['Niet bevestigde adressen', 'Unverified addresses'],
  no_profile: ['Leden zonder profiel', 'Members without a profile'], hours_committed: ['Uren al besteed', 'Hours already committed'],
  without_candidate: ['Leden zonder kandidaat', 'Members without a candidate'], odd_one_out: ['Oneven aantal', 'Odd one out'],
  host_places: ['Te weinig gastplaatsen', 'Too few host places'], visitors: ['Te weinig bezoekers', 'Too few visitors'],
  group_size: ['Groepsgrootte', 'Group size'], second_domain: ['Tweede domein ontbreekt', 'No second domain'],
  senior: ['Te weinig ervaren leden', 'Too few experienced members'],
});
export const auditAction = table({
  round_created: ['Ronde aangemaakt', 'Round created'], round_previewed: ['Voorstel bekeken', 'Round previewed'],
  round_published: ['Ronde gepubliceerd', 'Round published'], round_cancelled: ['Ronde geannuleerd', 'Round cancelled'],
  round_viewed: ['Ronde bekeken', 'Round viewed'], members_listed: ['Leden bekeken', 'Members listed'],
  mail_failed_viewed: ['Mislukte mail bekeken', 'Failed mail viewed'], user_role_changed: ['Rol gewijzigd', 'Role changed'],
  audit_log_viewed: ['Logboek bekeken', 'Audit log viewed'], conflict_registered: ['Belangenconflict vastgelegd', 'Conflict registered'],
  conflict_removed: ['Belangenconflict verwijderd', 'Conflict removed'], round_overrides_set: ['Vastzetten en uitsluiten', 'Overrides set'],
  round_topped_up: ['Ronde aangevuld', 'Round topped up'], programme_created: ['Programma aangemaakt', 'Programme created'],
  programme_updated: ['Programma gewijzigd', 'Programme updated'], programme_coordinator_assigned: ['Coördinator toegewezen', 'Coordinator assigned'],
  programme_coordinator_removed: ['Coördinator verwijderd', 'Coordinator removed'], programme_members_listed: ['Programmaleden bekeken', 'Programme members listed'],
  programme_invitations_sent: ['Uitnodigingen verstuurd', 'Invitations sent'], network_exported: ['Netwerk geëxporteerd', 'Network exported'],
});

let topicLabels = [];
export function setTopics(list) { topicLabels = list; }
export const topic = (slug) => {
  const t = topicLabels.find((x) => x.slug === slug);
  return t ? L(t.label_nl, t.label_en) : slug.replaceAll('_', ' ');
};
export const topicOptions = () => topicLabels.map((t) => [t.slug, L(t.label_nl, t.label_en)]);

export function listWords(items) {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${L('en', 'and')} ${items[items.length - 1]}`;
}

const dateFmt = () => new Intl.DateTimeFormat(L('nl-NL', 'en-GB'), { dateStyle: 'medium', timeZone: 'Europe/Amsterdam' });
const timeFmt = () => new Intl.DateTimeFormat(L('nl-NL', 'en-GB'), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Amsterdam' });
export const date = (s) => (s ? dateFmt().format(new Date(s.length === 10 ? `${s}T12:00:00Z` : s)) : '—');
export const dateTime = (s) => (s ? timeFmt().format(new Date(s)) : '—');
export const percent = (x) => `${Math.round((x ?? 0) * 100)}%`;

/** Plain words for an error code; the server's own detail follows it. */
const problems = {
  invalid_credentials: ['E-mailadres of wachtwoord klopt niet.', 'The email address or password is wrong.'],
  email_taken: ['Dit e-mailadres heeft al een account.', 'This email address already has an account.'],
  validation_failed: ['Niet alle velden zijn goed ingevuld.', 'Some fields need another look.'],
  invalid_email_token: ['Deze link is ongeldig of verlopen. Vraag een nieuwe aan.', 'This link is invalid or has expired. Ask for a new one.'],
  invalid_invitation: ['Deze uitnodiging is ongeldig of verlopen.', 'This invitation is invalid or has expired.'],
  too_many_requests: ['Te veel pogingen; probeer het over een paar minuten opnieuw.', 'Too many attempts; try again in a few minutes.'],
  session_ended: ['Je sessie is beëindigd; log opnieuw in.', 'Your session has ended; please log in again.'],
  token_expired: ['Je sessie is verlopen; log opnieuw in.', 'Your session has expired; please log in again.'],
  forbidden: ['Dit mag je niet met jouw rol.', 'Your role does not allow this.'],
  password_incorrect: ['Het huidige wachtwoord klopt niet.', 'The current password is wrong.'],
  profile_not_found: ['Je hebt nog geen profiel.', 'You have no profile yet.'],
  round_not_draft: ['Deze ronde is al gepubliceerd of geannuleerd.', 'This round is no longer a draft.'],
  round_changed: ['De ronde is intussen veranderd; bekijk het voorstel opnieuw.', 'The round changed meanwhile; preview it again.'],
  already_answered: ['Je hebt hier al op geantwoord.', 'You already answered this.'],
  service_unavailable: ['De dienst is even niet bereikbaar; probeer het zo opnieuw.', 'The service is briefly unavailable; try again soon.'],
  internal_error: ['Er ging iets mis aan onze kant.', 'Something went wrong on our side.'],
  network: ['Geen verbinding met de server.', 'No connection to the server.'],
};
export const problemWords = (code) => (problems[code] ? L(...problems[code]) : null);
