// Small DOM helpers. Every text goes in as a text node, never as HTML, so
// nothing a member typed can become markup.

let nextId = 0;
export const uid = (p = 'f') => `${p}${++nextId}`;

/** An element: props set as attributes (on* as listeners), kids appended. */
export function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  let value, checked;
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') value = v;
    else if (k === 'checked') checked = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, kids);
  // After the options exist, so a select keeps its choice.
  if (value !== undefined) el.value = value;
  if (checked !== undefined) el.checked = !!checked;
  return el;
}

export function append(el, kids) {
  for (const k of kids.flat(Infinity)) {
    if (k == null || k === false) continue;
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return el;
}

export function clear(el, ...kids) {
  el.replaceChildren();
  return append(el, kids);
}

/** A labelled control; `hint` is tied to it for screen readers. */
export function field(label, input, hint) {
  if (!input.id) input.id = uid();
  const kids = [h('label', { for: input.id }, label), input];
  if (hint) {
    const hid = `${input.id}-hint`;
    kids.push(h('p', { class: 'hint', id: hid }, hint));
    input.setAttribute('aria-describedby', hid);
  }
  return h('div', { class: 'field' }, kids);
}

/** A select of `options` ([value, label]); `empty` adds a first choice with value "". */
export function select(name, options, value, empty) {
  return h('select', { name, value: value ?? '' },
    empty !== undefined ? h('option', { value: '' }, empty) : null,
    options.map(([v, l]) => h('option', { value: v }, l)));
}

/** Checkboxes for a set of values, in a fieldset with a legend. */
export function checkboxes(legend, name, options, chosen = []) {
  return h('fieldset', {}, h('legend', {}, legend),
    h('div', { class: 'choices' }, options.map(([v, l]) => {
      const id = uid('c');
      return h('label', { class: 'choice', for: id },
        h('input', { type: 'checkbox', id, name, value: v, checked: chosen.includes(v) }), h('span', {}, l));
    })));
}

export function checkbox(label, name, checked) {
  const id = uid('c');
  return h('div', { class: 'field' }, h('label', { class: 'choice', for: id },
    h('input', { type: 'checkbox', id, name, checked: !!checked }), h('span', {}, label)));
}

/** Definition-list figures: [[label, value], ...]. */
export function stats(items) {
  return h('dl', { class: 'stats' }, items.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
}

export function table(headers, rows, caption) {
  return h('div', { class: 'scroll' }, h('table', {},
    caption ? h('caption', { class: 'sr-only' }, caption) : null,
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
}

/** Hands a fetched file to the browser as a download. */
export async function saveResponse(res, fallbackName) {
  const blob = await res.blob();
  const cd = res.headers.get('Content-Disposition') || '';
  const m = /filename="?([^";]+)"?/.exec(cd);
  const a = h('a', { href: URL.createObjectURL(blob), download: m ? m[1] : fallbackName });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}
