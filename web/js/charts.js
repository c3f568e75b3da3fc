// Pictures as accessible HTML: each figure is also a table of its numbers.
// Sizes and colours are set through the CSSOM, which the pages' CSP allows
// (it refuses style attributes in markup).
import { h } from './dom.js';
import * as w from './i18n.js';
import { L } from './i18n.js';

/** Matched out of eligible, per domain, as bars. */
export function domainBars(perDomain) {
  const rows = Object.entries(perDomain || {}).sort((a, b) => b[1].eligible - a[1].eligible);
  if (!rows.length) return h('p', {}, '—');
  return h('div', { role: 'list' }, rows.map(([d, c]) => {
    const share = c.eligible ? c.matched / c.eligible : 0;
    const bar = h('div', { class: 'meter' });
    bar.style.width = `${Math.round(share * 100)}%`;
    return h('div', { class: 'meter-row', role: 'listitem' }, h('span', {}, w.domain(d)),
      h('div', { class: 'meter-track', 'aria-hidden': 'true' }, bar), h('span', {}, `${c.matched}/${c.eligible}`));
  }));
}

/** How often each pair of domains meets in `matches` (each a list of member domains). */
export function domainMatrix(matches) {
  const count = new Map();
  const seen = new Set();
  for (const ds of matches) {
    for (let i = 0; i < ds.length; i++) {
      for (let j = i + 1; j < ds.length; j++) {
        if (!ds[i] || !ds[j]) continue;
        const [a, b] = [ds[i], ds[j]].sort();
        seen.add(a).add(b);
        const k = `${a}|${b}`;
        count.set(k, (count.get(k) || 0) + 1);
      }
    }
  }
  const domains = [...seen].sort();
  if (!domains.length) return h('p', {}, L('Geen matches om te tonen.', 'No matches to show.'));
  const max = Math.max(...count.values());
  const cell = (a, b) => {
    const [x, y] = [a, b].sort();
    const n = count.get(`${x}|${y}`) || 0;
    const td = h('td', { class: 'num' }, String(n));
    const t = n / max;
    // From white to the brand blue; dark cells get white text for contrast.
    td.style.backgroundColor = `rgb(${Math.round(255 - t * 226)}, ${Math.round(255 - t * 160)}, ${Math.round(255 - t * 87)})`;
    td.style.color = t > 0.55 ? '#fff' : '#1b1f24';
    return td;
  };
  return h('div', { class: 'scroll' }, h('table', { class: 'matrix' },
    h('caption', {}, L('Aantal matches tussen domeinen (diagonaal: binnen één domein)', 'Matches between domains (diagonal: within one domain)')),
    h('thead', {}, h('tr', {}, h('td', {}), domains.map((d) => h('th', { scope: 'col' }, w.domain(d))))),
    h('tbody', {}, domains.map((a) => h('tr', {}, h('th', { scope: 'row' }, w.domain(a)), domains.map((b) => cell(a, b)))))));
}
