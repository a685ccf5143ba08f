// What a reader sees of each chart on a page (tests/test_browser.py).
() => {
  const box = (el) => el.getBoundingClientRect();
  const visible = (el) => { const b = box(el); const s = getComputedStyle(el);
    return b.width > 0 && b.height > 0 && s.display !== 'none' && s.visibility !== 'hidden'; };
  return [...document.querySelectorAll('figure.chart')].map((figure) => {
    const live = figure.querySelector('.vega-chart svg');
    const still = figure.querySelector('img.chart-static');
    const labels = live ? [...live.querySelectorAll('.role-axis-label text')] : [];
    const boxes = labels.map((t) => ({ axis: t.closest('.role-axis').getAttribute('aria-label') || '',
      b: box(t) })).filter((l, i) => l.b.width > 0 && labels[i].getAttribute('opacity') !== '0');
    let overlaps = 0;
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].b, c = boxes[j].b;
      if (boxes[i].axis === boxes[j].axis && a.left < c.right - 1 && c.left < a.right - 1
          && a.top < c.bottom - 1 && c.top < a.bottom - 1) overlaps++;
    }
    const swatches = live ? [...live.querySelectorAll('.role-legend-symbol path')]
      .map((p) => p.getAttribute('fill')) : [];
    const bars = live ? [...new Set([...live.querySelectorAll('.mark-rect.role-mark path')]
      .map((p) => p.getAttribute('fill')))] : [];
    return { shown: [live && visible(live), still && visible(still)].filter(Boolean).length,
      liveWidth: live ? box(live).width : 0, figureWidth: box(figure).width, overlaps,
      swatches, bars, texts: live ? [...live.querySelectorAll('.mark-text text')].map((t) => t.textContent) : [] };
  });
}
