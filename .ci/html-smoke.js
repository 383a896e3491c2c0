/* Exercises the HTML report's script in a real browser: .ci/check-html.sh appends this to a
   copy of a golden page (without its CSP, which pins only scangate's own script) and
   loads it in headless Chromium. Expectations come from the page itself, so any page with
   controls will do. The outcome goes into a pre element with id "smoke": "ok", or the failures. */
(function () {
  'use strict';
  var fails = [];
  function expect(what, got, want) {
    if (got !== want) fails.push(what + ': got ' + got + ', want ' + want);
  }
  function done() {
    var p = document.createElement('pre');
    p.id = 'smoke';
    p.textContent = fails.length ? 'FAIL\n' + fails.join('\n') : 'ok';
    document.body.appendChild(p);
  }
  var sec = document.querySelector('section.input');
  var rows = Array.prototype.slice.call(sec.querySelectorAll('tr.ctl'));
  if (!rows.length) { fails.push('no controls on the page'); done(); return; }
  var bar = sec.querySelector('.toolbar');
  function visible() { return rows.filter(function (r) { return !r.hidden; }); }
  function boxes(name) {
    return Array.prototype.slice.call(bar.querySelectorAll('input[name="' + name + '"]'));
  }
  function only(name, value) {
    boxes(name).forEach(function (b) {
      b.checked = b.value === value;
      b.dispatchEvent(new Event('change'));
    });
  }
  function reset() { bar.querySelector('.reset').click(); }

  expect('html marked js', document.documentElement.classList.contains('js'), true);
  expect('toolbar shown', bar.hidden, false);
  expect('all shown', visible().length, rows.length);

  only('st', 'failed');
  expect('status filter', visible().length, sec.querySelectorAll('tr.ctl[data-st="failed"]').length);
  reset();
  only('sev', 'medium');
  expect('severity filter', visible().length, sec.querySelectorAll('tr.ctl[data-sev="medium"]').length);
  reset();
  expect('reset', visible().length, rows.length);

  var cells = Array.prototype.slice.call(sec.querySelectorAll('.mx td.go'));
  cells.slice(0, 6).forEach(function (cell) {
    cell.click();
    expect('matrix cell ' + cell.dataset.st + '/' + cell.dataset.sev, visible().length, +cell.textContent);
  });
  reset();

  var sort = bar.querySelector('.sort');
  sort.value = 'severity';
  sort.dispatchEvent(new Event('change'));
  var order = ['critical', 'high', 'medium', 'low', 'none'];
  var ranks = Array.prototype.map.call(sec.querySelectorAll('tr.ctl'), function (r) {
    return order.indexOf(r.dataset.sev);
  });
  expect('sorted by severity', ranks.every(function (v, i) { return i === 0 || ranks[i - 1] <= v; }), true);
  var head = sec.querySelector('th[data-sort="id"] button');
  head.click();
  expect('id header sorts', sec.querySelector('th[data-sort="id"]').getAttribute('aria-sort'), 'ascending');
  head.click();
  expect('id header reverses', sec.querySelector('th[data-sort="id"]').getAttribute('aria-sort'), 'descending');
  reset();
  expect('reset restores file order', sec.querySelector('tr.ctl'), rows[0]);

  var target = rows[rows.length - 1];
  var q = bar.querySelector('.q-in');
  q.value = target.querySelector('.cid').textContent;
  q.dispatchEvent(new Event('input'));
  setTimeout(function () {
    expect('text filter keeps its control', target.hidden, false);
    expect('text filter narrows', visible().length <= rows.length, true);
    only('st', '__nothing__');
    expect('nothing matches', sec.querySelector('.none-match').hidden, false);
    location.hash = '#' + target.id;
    setTimeout(function () {
      expect('link shows a hidden control', target.hidden, false);
      expect('link opens it', target.querySelector('td.c-main > details').open, true);
      bar.querySelector('.expand').click();
      expect('expand all', sec.querySelectorAll('tr.ctl:not([hidden]) td.c-main > details:not([open])').length, 0);
      done();
    }, 200);
  }, 400);
})();
