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
    // Two bands, white to light blue and mid to brand blue, skipping the
    // middle tones where neither ink nor white text reaches 4.5:1; the text
    // takes whichever stands out more (WCAG contrast).
    const mix = (a, b, f) => a.map((x, i) => Math.round(x + (b[i] - x) * f));
    const rgb = t <= 0.5 ? mix([255, 255, 255], [169, 198, 232], t * 2) : mix([59, 116, 184], [29, 95, 168], (t - 0.5) * 2);
    td.style.backgroundColor = `rgb(${rgb.join(', ')})`;
    const lum = (c) => { const x = c / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
    const bg = 0.2126 * lum(rgb[0]) + 0.7152 * lum(rgb[1]) + 0.0722 * lum(rgb[2]);
    const ink = 0.2126 * lum(0x1b) + 0.7152 * lum(0x1f) + 0.0722 * lum(0x24);
    td.style.color = (bg + 0.05) / (ink + 0.05) >= 1.05 / (bg + 0.05) ? '#1b1f24' : '#fff';
    return td;
  };
  return h('div', { class: 'scroll' }, h('table', { class: 'matrix' },
    h('caption', {}, L('Aantal matches tussen domeinen (diagonaal: binnen één domein)', 'Matches between domains (diagonal: within one domain)')),
    h('thead', {}, h('tr', {}, h('td', {}), domains.map((d) => h('th', { scope: 'col' }, w.domain(d))))),
    h('tbody', {}, domains.map((a) => h('tr', {}, h('th', { scope: 'row' }, w.domain(a)), domains.map((b) => cell(a, b)))))));
}
