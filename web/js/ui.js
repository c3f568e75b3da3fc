// Pieces every page uses: forms that show problem+json errors where they
// belong, pagers, notices.
import { h, clear } from './dom.js';
import { L, problemWords } from './i18n.js';

/** The words for an API error: ours for the code, then the server's detail. */
export function problemBox(err) {
  const box = h('div', { class: 'problem', role: 'alert', tabindex: '-1' });
  const words = problemWords(err.code);
  const title = words || err.title || L('Dat lukte niet.', 'That did not work.');
  box.append(h('p', {}, h('strong', {}, title)));
  if (err.detail && err.detail !== title) box.append(h('p', {}, err.detail));
  if (err.errors?.length) {
    box.append(h('ul', {}, err.errors.map((e) => h('li', {}, e.field ? `${e.field}: ${e.message}` : e.message))));
  }
  return box;
}

export function notice(text) {
  return h('div', { class: 'notice', role: 'status', tabindex: '-1' }, text);
}

/** Puts `node` where `old` was and moves focus to it, so the outcome is read. */
export function replaceWithOutcome(old, node) {
  old.replaceWith(node);
  (node.matches?.('[tabindex]') ? node : node.querySelector?.('[tabindex]'))?.focus();
}

/** Marks the fields an error names, so each says what is wrong beside it. */
function markFields(formEl, err) {
  for (const e of err.errors || []) {
    const name = (e.field || '').split(/[.[]/)[0];
    const input = name && formEl.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!input) continue;
    input.setAttribute('aria-invalid', 'true');
    const id = `${input.id || name}-error`;
    const msg = h('p', { class: 'field-error', id }, e.message);
    const holder = input.closest('.field, fieldset') || input.parentElement;
    holder.append(msg);
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
  }
}

function clearMarks(formEl) {
  formEl.querySelectorAll('.field-error').forEach((e) => {
    const input = formEl.querySelector(`[aria-describedby~="${e.id}"]`);
    if (input) {
      input.removeAttribute('aria-invalid');
      const rest = input.getAttribute('aria-describedby').split(' ').filter((x) => x !== e.id).join(' ');
      if (rest) input.setAttribute('aria-describedby', rest); else input.removeAttribute('aria-describedby');
    }
    e.remove();
  });
}

/**
 * A form whose submit runs `onsubmit(formData, formEl)`; what it returns
 * (a node) is shown as the outcome, what it throws as a problem box.
 */
export function form(props, kids, submitLabel, onsubmit) {
  const outcome = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'submit' }, submitLabel);
  const f = h('form', props, outcome, kids, h('div', { class: 'actions' }, button));
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearMarks(f);
    clear(outcome);
    button.disabled = true;
    try {
      const shown = await onsubmit(new FormData(f), f);
      if (shown instanceof Node) outcome.append(shown);
    } catch (err) {
      outcome.append(problemBox(err));
      markFields(f, err);
      outcome.querySelector('[role=alert]')?.focus();
    } finally {
      button.disabled = false;
    }
  });
  return f;
}

/** A button that runs `action`; its errors show beside it. */
export function actionButton(label, action, cls) {
  const out = h('div', { 'aria-live': 'polite' });
  const b = h('button', { type: 'button', class: cls }, label);
  b.addEventListener('click', async () => {
    clear(out);
    b.disabled = true;
    try {
      const shown = await action();
      if (shown instanceof Node) out.append(shown);
    } catch (err) {
      out.append(problemBox(err));
    } finally {
      b.disabled = false;
    }
  });
  return h('div', { class: 'action' }, b, out);
}

/** Previous/next over an API page ({page, per_page, total}). */
export function pager(p, go, label) {
  const pages = Math.max(1, Math.ceil(p.total / p.per_page));
  return h('nav', { class: 'pager', 'aria-label': label || L('Pagina\'s', 'Pages') },
    h('button', { type: 'button', class: 'secondary', disabled: p.page <= 1, onclick: () => go(p.page - 1) }, L('Vorige', 'Previous')),
    h('span', {}, L(`Pagina ${p.page} van ${pages} (${p.total})`, `Page ${p.page} of ${pages} (${p.total})`)),
    h('button', { type: 'button', class: 'secondary', disabled: p.page >= pages, onclick: () => go(p.page + 1) }, L('Volgende', 'Next')));
}

/** Values of one checkbox group. */
export const all = (fd, name) => fd.getAll(name).map(String);
export const str = (fd, name) => String(fd.get(name) ?? '').trim();
export const num = (fd, name) => Number(fd.get(name));
