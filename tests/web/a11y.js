// What axe would report on a page, checked by hand (no axe bundle is shipped or fetched):
// one h1 and no skipped heading level, a label for every field, named links and buttons,
// named and focusable scroll boxes, nothing focusable in role=img, text contrast (WCAG AA).
// Called by tests/web/test_browser.py with the selector of focusable elements; returns the
// problems found. The chart's own drawing (#chart) is left to the chart library.
(focusable) => {
  const problems = [];
  const outsideChart = (el) => !el.closest('#chart');
  const levels = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map((h) => +h.tagName[1]);
  if (levels.filter((l) => l === 1).length !== 1) problems.push('not exactly one h1');
  levels.reduce((before, l) => { if (l > before + 1) problems.push(`h${l} after h${before}`); return l; }, 0);
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (!el.labels.length && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      problems.push(`no label: ${el.id || el.name}`);
  }
  for (const el of document.querySelectorAll('a[href], button')) {
    if (outsideChart(el) && !el.hidden && !(el.textContent.trim() || el.getAttribute('aria-label')))
      problems.push(`no name: ${el.outerHTML.slice(0, 80)}`);
  }
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (outsideChart(el) && ['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
      if (el.tabIndex < 0) problems.push(`scroll box not focusable: ${el.className}`);
      if (!el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) problems.push(`scroll box unnamed: ${el.className}`);
    }
  }
  for (const image of document.querySelectorAll('[role=img]')) {
    if (image.querySelector(focusable)) problems.push('focusable inside role=img');
  }
  const rgb = (text) => text.match(/[\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] === 1) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !outsideChart(el) || el.closest('.sr-only, noscript, [hidden]') || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    const [fg, bg] = [lum(rgb(style.color).slice(0, 3)), lum(background(el))];
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && +style.fontWeight >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)}: ${el.textContent.trim().slice(0, 40)}`);
  }
  return problems;
}
