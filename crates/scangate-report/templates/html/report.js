// scangate HTML report: sorting and filtering of the controls tables. Inlined verbatim and
// pinned by hash in the page's CSP. It reads the page (data-* attributes hold only
// scangate's keys and numbers; texts are read from the DOM) and never builds markup from
// text: no innerHTML, no eval. Without it the page shows everything, unsorted and unfiltered.
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  // What needs attention first.
  var STATUS_RANK = { failed: 1, error: 2, skipped: 3, passed: 4, no_impact: 5 };
  var SEVERITY_RANK = { critical: 1, high: 2, medium: 3, low: 4, none: 5 };
  var clearers = new Map();
  var sections = document.querySelectorAll('section.input');
  for (var s = 0; s < sections.length; s++) setup(sections[s]);

  function setup(sec) {
    var table = sec.querySelector('table.ctl-table');
    var bar = sec.querySelector('.toolbar');
    if (!table || !bar) return;
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.querySelectorAll('tr.ctl'));
    if (!rows.length) return;
    bar.hidden = false;

    var q = bar.querySelector('.q-in');
    var sortSel = bar.querySelector('.sort');
    var dirBtn = bar.querySelector('.dir');
    var expandBtn = bar.querySelector('.expand');
    var shown = bar.querySelector('.shown');
    var noneMatch = sec.querySelector('.none-match');
    var boxes = Array.prototype.slice.call(bar.querySelectorAll('input[type="checkbox"]'));
    var heads = Array.prototype.slice.call(table.querySelectorAll('th[data-sort]'));
    var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
    var state = { key: 'index', desc: false };
    // The page lists controls in file order; sorting falls back to it.
    var keys = rows.map(function (r, i) {
      var id = r.querySelector('.cid');
      var t = r.querySelector('.t');
      return {
        row: r,
        i: i,
        sr: STATUS_RANK[r.dataset.st] || 0,
        vr: SEVERITY_RANK[r.dataset.sev] || 0,
        id: id ? id.textContent : '',
        title: t ? t.textContent : ''
      };
    });
    var texts = null;

    function haystack(r) {
      var parts = r.querySelectorAll('.q');
      var out = [];
      for (var k = 0; k < parts.length; k++) out.push(parts[k].textContent);
      return out.join('\n').toLowerCase();
    }

    function checked(name) {
      var set = {};
      boxes.forEach(function (b) { if (b.name === name && b.checked) set[b.value] = true; });
      return set;
    }

    function apply() {
      var st = checked('st');
      var sev = checked('sev');
      var gateOnly = !!checked('gate')['1'];
      var chg = checked('chg');
      var byChange = boxes.some(function (b) { return b.name === 'chg'; });
      var needle = q.value.trim().toLowerCase();
      var terms = needle ? needle.split(/\s+/) : [];
      if (terms.length && !texts) texts = rows.map(haystack);
      var n = 0;
      rows.forEach(function (r, k) {
        var ok = !!st[r.dataset.st] && !!sev[r.dataset.sev] &&
          (!gateOnly || r.dataset.gate === '1') &&
          (!byChange || !!chg[r.dataset.chg]) &&
          terms.every(function (t) { return texts[k].indexOf(t) !== -1; });
        r.hidden = !ok;
        if (ok) n++;
      });
      shown.textContent = n === rows.length
        ? 'Showing all ' + n + (n === 1 ? ' control' : ' controls')
        : 'Showing ' + n + ' of ' + rows.length + ' controls';
      noneMatch.hidden = n > 0;
    }

    function compare(a, b) {
      var d = 0;
      switch (state.key) {
        case 'status': d = a.sr - b.sr || a.vr - b.vr; break;
        case 'severity': d = a.vr - b.vr || a.sr - b.sr; break;
        case 'id': d = collator.compare(a.id, b.id); break;
        case 'title': d = collator.compare(a.title, b.title); break;
      }
      d = d || a.i - b.i;
      return state.desc ? -d : d;
    }

    function sort(key, desc) {
      state.key = key;
      state.desc = desc;
      var frag = document.createDocumentFragment();
      keys.slice().sort(compare).forEach(function (k) { frag.appendChild(k.row); });
      tbody.appendChild(frag);
      sortSel.value = key;
      dirBtn.textContent = desc ? '↑' : '↓';
      heads.forEach(function (th) {
        if (th.dataset.sort === key) th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
        else th.removeAttribute('aria-sort');
      });
    }

    function setBoxes(name, value) {
      boxes.forEach(function (b) {
        if (b.name === name) b.checked = name === 'gate' ? false : (!value || b.value === value);
      });
    }

    function clear() {
      setBoxes('st', '');
      setBoxes('sev', '');
      setBoxes('gate', '');
      setBoxes('chg', '');
      q.value = '';
      apply();
    }
    clearers.set(sec, clear);

    heads.forEach(function (th) {
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'th-btn';
      while (th.firstChild) btn.appendChild(th.firstChild);
      th.appendChild(btn);
      btn.addEventListener('click', function () {
        var key = th.dataset.sort;
        sort(key, state.key === key ? !state.desc : false);
      });
    });

    var timer = 0;
    q.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(apply, 120);
    });
    boxes.forEach(function (b) { b.addEventListener('change', apply); });
    sortSel.addEventListener('change', function () { sort(sortSel.value, false); });
    dirBtn.addEventListener('click', function () { sort(state.key, !state.desc); });
    bar.querySelector('.reset').addEventListener('click', function () {
      clear();
      sort('index', false);
    });
    expandBtn.addEventListener('click', function () {
      var open = expandBtn.dataset.open !== '1';
      rows.forEach(function (r) {
        var d = r.querySelector('td.c-main > details');
        if (d && !r.hidden) d.open = open;
      });
      expandBtn.dataset.open = open ? '1' : '0';
      expandBtn.textContent = open ? 'Collapse all' : 'Expand all';
    });

    // A matrix cell shows its controls: that status and/or severity, nothing else.
    var cells = sec.querySelectorAll('.mx td[data-st]');
    for (var c = 0; c < cells.length; c++) {
      var cell = cells[c];
      if (cell.textContent.trim() === '0') continue;
      cell.classList.add('go');
      cell.tabIndex = 0;
      cell.title = 'Show these controls';
      cell.addEventListener('click', pick);
      cell.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick.call(this); }
      });
    }
    function pick() {
      setBoxes('st', this.dataset.st);
      setBoxes('sev', this.dataset.sev);
      setBoxes('gate', '');
      setBoxes('chg', '');
      q.value = '';
      apply();
      sec.querySelector('.controls').scrollIntoView({ block: 'start' });
    }

    apply();
  }

  // Following a link to a control shows it, even when the filters hid it, and opens it.
  function reveal() {
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var row = id ? document.getElementById(id) : null;
    if (!row || !row.classList.contains('ctl')) return;
    if (row.hidden) {
      var sec = row.closest('section.input');
      var clear = sec && clearers.get(sec);
      if (clear) clear();
    }
    var d = row.querySelector('td.c-main > details');
    if (d) d.open = true;
    row.scrollIntoView({ block: 'start' });
  }
  window.addEventListener('hashchange', reveal);
  document.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('a[href^="#"]') : null;
    if (a && a.getAttribute('href') === location.hash) setTimeout(reveal, 0);
  });
  reveal();

  // Printing shows every control's details; they are closed again afterwards.
  var opened = [];
  window.addEventListener('beforeprint', function () {
    var all = document.querySelectorAll('details:not([open])');
    for (var k = 0; k < all.length; k++) { all[k].open = true; opened.push(all[k]); }
  });
  window.addEventListener('afterprint', function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
