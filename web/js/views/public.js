// Pages for visitors: the welcome, signing up and in, and the pages email
// links lead to (verify, reset, invitation).
import { h, field } from '../dom.js';
import { L, getLocale } from '../i18n.js';
import { api, login as logIn, user, setUser } from '../api.js';
import { form, notice, str, actionButton, replaceWithOutcome } from '../ui.js';

const input = (name, type, extra = {}) => h('input', { name, type, ...extra });

export function welcome() {
  return h('section', {},
    h('h1', {}, L('Leer van collega\'s uit andere domeinen', 'Learn from colleagues in other domains')),
    h('p', { class: 'lead' }, L(
      'buddymatch koppelt arbeidsdeskundigen en de professionals om hen heen (UWV, zelfstandigen, adviesbureaus, gemeenten, arbodiensten) aan elkaar: als buddy, in een intervisiegroep of voor een meeloopdag.',
      'buddymatch pairs labour experts and the professionals around them (UWV, self-employed, advisory firms, municipalities, occupational health) as buddies, in intervision groups or for a shadowing visit.')),
    h('ul', {},
      h('li', {}, L('Je kiest zelf hoeveel tijd je hebt en hoe ver je wilt reizen.', 'You choose how much time you have and how far you will travel.')),
      h('li', {}, L('Elke match zegt waarom jullie bij elkaar passen.', 'Every match says why you fit together.')),
      h('li', {}, L('Je contactgegevens zie alleen wie jij ze laat zien.', 'Only the people you allow see your contact details.'))),
    h('p', { class: 'actions' },
      h('a', { class: 'button', href: '/register' }, L('Aanmelden', 'Sign up')),
      h('a', { href: '/login' }, L('Ik heb al een account', 'I already have an account'))));
}

export function login({ query, go }) {
  // Only a page of this site: the URL parser decides, as the browser would.
  let safeNext = '/';
  try {
    const u = new URL(query.get('next') || '/', location.origin);
    if (u.origin === location.origin) safeNext = u.pathname + u.search;
  } catch { /* not a URL: the start page */ }
  return h('section', {}, h('h1', {}, L('Inloggen', 'Log in')),
    form({ 'aria-label': L('Inloggen', 'Log in') }, [
      field(L('E-mailadres', 'Email address'), input('email', 'email', { required: true, autocomplete: 'username' })),
      field(L('Wachtwoord', 'Password'), input('password', 'password', { required: true, autocomplete: 'current-password' })),
    ], L('Inloggen', 'Log in'), async (fd) => {
      await logIn(str(fd, 'email'), String(fd.get('password')));
      go(safeNext, true);
    }),
    h('p', {}, h('a', { href: '/forgot-password' }, L('Wachtwoord vergeten?', 'Forgot your password?'))),
    h('p', {}, L('Nog geen account? ', 'No account yet? '), h('a', { href: '/register' }, L('Aanmelden', 'Sign up'))));
}

export function register() {
  const section = h('section', {}, h('h1', {}, L('Aanmelden', 'Sign up')));
  section.append(form({ 'aria-label': L('Aanmelden', 'Sign up') }, [
    field(L('Naam', 'Name'), input('display_name', 'text', { required: true, autocomplete: 'name', maxlength: 100 })),
    field(L('E-mailadres', 'Email address'), input('email', 'email', { required: true, autocomplete: 'email' })),
    field(L('Wachtwoord', 'Password'), input('password', 'password', { required: true, autocomplete: 'new-password', minlength: 8 }),
      L('Minstens 8 tekens.', 'At least 8 characters.')),
  ], L('Account aanmaken', 'Create account'), async (fd, f) => {
    await api('POST', '/auth/register', {
      body: { display_name: str(fd, 'display_name'), email: str(fd, 'email'), password: String(fd.get('password')), locale: getLocale() },
    });
    replaceWithOutcome(f, notice(L(
      'Bijna klaar: we hebben je een e-mail gestuurd. Klik op de link daarin om je adres te bevestigen, en log dan in.',
      'Almost done: we sent you an email. Follow its link to confirm your address, then log in.')));
  }));
  return section;
}

export function verifyEmail({ query }) {
  const token = query.get('token') || '';
  const section = h('section', {}, h('h1', {}, L('E-mailadres bevestigen', 'Confirm your email address')));
  // A button, not an automatic request: mail scanners open links too.
  section.append(h('p', {}, L('Klik om te bevestigen dat dit jouw adres is.', 'Click to confirm this address is yours.')),
    actionButton(L('Bevestig mijn adres', 'Confirm my address'), async () => {
      const u = await api('POST', '/auth/verify-email', { body: { token } });
      if (user()?.id === u.id) setUser(u);
      return h('div', {}, notice(L(`Bevestigd: ${u.email}.`, `Confirmed: ${u.email}.`)),
        h('p', {}, h('a', { href: user() ? '/profile' : '/login?next=/profile' }, L('Vul nu je leerprofiel in', 'Now fill in your learning profile'))));
    }));
  return section;
}

export function forgotPassword() {
  const section = h('section', {}, h('h1', {}, L('Wachtwoord vergeten', 'Forgot your password')));
  section.append(form({ 'aria-label': L('Wachtwoord vergeten', 'Forgot your password') }, [
    field(L('E-mailadres', 'Email address'), input('email', 'email', { required: true, autocomplete: 'email' })),
  ], L('Stuur een link', 'Send a link'), async (fd, f) => {
    await api('POST', '/auth/password-reset', { body: { email: str(fd, 'email') } });
    replaceWithOutcome(f, notice(L(
      'Als dit adres een account heeft, staat er nu een link in je mailbox. Die werkt een uur.',
      'If this address has an account, a link is on its way. It works for an hour.')));
  }));
  return section;
}

export function resetPassword({ query }) {
  const token = query.get('token') || '';
  const section = h('section', {}, h('h1', {}, L('Nieuw wachtwoord', 'New password')));
  section.append(form({ 'aria-label': L('Nieuw wachtwoord', 'New password') }, [
    field(L('Nieuw wachtwoord', 'New password'), input('password', 'password', { required: true, autocomplete: 'new-password', minlength: 8 }),
      L('Minstens 8 tekens. Je wordt overal uitgelogd.', 'At least 8 characters. You are logged out everywhere.')),
  ], L('Opslaan', 'Save'), async (fd, f) => {
    await api('POST', '/auth/password-reset/confirm', { body: { token, password: String(fd.get('password')) } });
    replaceWithOutcome(f, h('div', {}, notice(L('Je wachtwoord is gewijzigd.', 'Your password has been changed.')),
      h('p', {}, h('a', { href: '/login' }, L('Inloggen', 'Log in')))));
  }));
  return section;
}

export function acceptInvitation({ query }) {
  const token = query.get('token') || '';
  const section = h('section', {}, h('h1', {}, L('Uitnodiging aannemen', 'Accept the invitation')),
    h('p', {}, L(
      'Heb je nog geen account, kies dan een naam en wachtwoord. Met een bestaand account laat je die velden leeg.',
      'New here? Choose a name and password. With an existing account, leave them empty.')));
  section.append(form({ 'aria-label': L('Uitnodiging aannemen', 'Accept the invitation') }, [
    field(L('Naam', 'Name'), input('display_name', 'text', { autocomplete: 'name' })),
    field(L('Wachtwoord', 'Password'), input('password', 'password', { autocomplete: 'new-password' })),
  ], L('Aannemen', 'Accept'), async (fd, f) => {
    const body = { token };
    if (str(fd, 'display_name')) body.display_name = str(fd, 'display_name');
    if (fd.get('password')) body.password = String(fd.get('password'));
    const r = await api('POST', '/invitations/accept', { body });
    replaceWithOutcome(f, h('div', {}, notice(L(`Je doet nu mee aan ${r.programme.name}.`, `You have joined ${r.programme.name}.`)),
      h('p', {}, h('a', { href: '/login?next=/profile' }, L('Log in en vul je profiel in', 'Log in and fill in your profile')))));
  }));
  return section;
}
