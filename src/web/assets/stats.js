/*
 * The statistics page (/stats): the `stats` of a federation or an association, read through the
 * hub's /graphql with the caller's key if one is given (without one, the public's rounded and
 * suppressed figures), drawn with Chart.js (served by the hub), each breakdown downloadable as CSV.
 * No inline script (CSP): a file, with the endpoint in a data attribute.
 */
(function () {
  'use strict';
  var main = document.getElementById('stats');
  var endpoint = main.dataset.endpoint;
  var form = document.getElementById('stats-form');
  var kind = document.getElementById('stats-kind');
  var code = document.getElementById('stats-code');
  var keyInput = document.getElementById('stats-key');
  var status = document.getElementById('stats-status');
  var summary = document.getElementById('stats-summary');
  var chartsEl = document.getElementById('stats-charts');
  var charts = [];

  var BUCKET = '{ key label count suppressed }';
  /** The breakdowns the page shows, in this order; `federationOnly` ones exist on FederationStats only. */
  var BREAKDOWNS = [
    { field: 'peopleByAssociation', title: 'Members by association', federationOnly: true, horizontal: true },
    { field: 'peopleByField', title: 'People by field of expertise', horizontal: true },
    { field: 'peopleByDegree', title: 'People by highest degree' },
    { field: 'peopleByAcademicTitle', title: 'People by academic title' },
    { field: 'peopleByGender', title: 'People by gender' },
    { field: 'peopleByBirthDecade', title: 'People by decade of birth' },
    { field: 'newMembershipsByYear', title: 'New memberships per year' },
    { field: 'associationsByField', title: 'Associations by field of activity', federationOnly: true, horizontal: true },
  ];

  function breakdownsOf(k) {
    return BREAKDOWNS.filter(function (b) {
      return k === 'federation' || !b.federationOnly;
    });
  }

  /** The GraphQL document the page sends (the test sends the same one and compares). */
  function statsQuery(k) {
    var totals = 'disclosureControl activeMembers activeMembersSuppressed distinctPeople distinctPeopleSuppressed' + (k === 'federation' ? ' associationCount' : '');
    var fields = breakdownsOf(k)
      .map(function (b) {
        return b.field + ' ' + BUCKET;
      })
      .join(' ');
    return 'query HubStatsPage($code: String!) { ' + k + '(code: $code) { id code name stats { ' + totals + ' ' + fields + ' } } }';
  }

  function headers() {
    var h = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    var key = keyInput.value.trim();
    if (key) h.authorization = /^Bearer /i.test(key) ? key : 'Bearer ' + key;
    return h;
  }

  function gql(query, variables) {
    return fetch(endpoint, { method: 'POST', headers: headers(), body: JSON.stringify({ query: query, variables: variables }), credentials: 'omit' }).then(function (r) {
      return r.json().then(function (body) {
        if (body.errors && body.errors.length) throw new Error(body.errors.map(function (e) { return e.message; }).join('; '));
        return body.data;
      });
    });
  }

  /** Codes to pick from (the first 100 of each list; any other code can be typed). */
  function fillCodes() {
    var k = kind.value;
    var list = k === 'federation' ? 'federations' : 'associations';
    gql('{ ' + list + '(first: 100) { edges { node { id code name } } } }').then(
      function (data) {
        var dl = document.getElementById('stats-codes');
        dl.textContent = '';
        data[list].edges.forEach(function (e) {
          var o = document.createElement('option');
          o.value = e.node.code;
          o.textContent = e.node.name;
          dl.appendChild(o);
        });
      },
      function () {},
    );
  }

  function csvCell(v) {
    var s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  /** One breakdown as CSV (UTF-8 with a BOM, so that spreadsheets read Vietnamese labels). */
  function toCsv(buckets) {
    var rows = [['key', 'label', 'count', 'suppressed']].concat(
      buckets.map(function (b) {
        return [b.key, b.label, b.count, b.suppressed];
      }),
    );
    return '\ufeff' + rows.map(function (r) { return r.map(csvCell).join(','); }).join('\r\n') + '\r\n';
  }

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }

  function figure(n, suppressed) {
    return suppressed ? 'suppressed (0–4)' : n === null || n === undefined ? '—' : n.toLocaleString('vi-VN');
  }

  function shortLabel(value) {
    var l = String(this.getLabelForValue(value));
    return l.length > 36 ? l.slice(0, 17) + '…' + l.slice(-18) : l;
  }

  function clear() {
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    chartsEl.textContent = '';
    summary.textContent = '';
  }

  function show(k, entity) {
    clear();
    var st = entity.stats;
    var exact = st.disclosureControl === 'NONE';
    summary.dataset.disclosureControl = st.disclosureControl;
    summary.appendChild(text('h2', entity.name + ' (' + entity.code + ')'));
    var dl = document.createElement('dl');
    [['Active memberships', figure(st.activeMembers, st.activeMembersSuppressed)], ['Distinct people', figure(st.distinctPeople, st.distinctPeopleSuppressed)]]
      .concat(k === 'federation' ? [['Associations', figure(st.associationCount, false)]] : [])
      .concat([['Figures', exact ? 'exact (your key: ANALYST or ADMIN)' : 'protected: counts of people rounded to a multiple of 5, groups that round to 0 suppressed']])
      .forEach(function (pair) {
        dl.appendChild(text('dt', pair[0]));
        dl.appendChild(text('dd', pair[1]));
      });
    summary.appendChild(dl);

    breakdownsOf(k).forEach(function (b) {
      var buckets = st[b.field];
      var card = document.createElement('article');
      card.className = 'stats-card';
      card.dataset.breakdown = b.field;
      // What the chart shows, as the API gave it (the test compares it with its own query).
      card.dataset.buckets = JSON.stringify(buckets);
      var head = document.createElement('header');
      head.appendChild(text('h3', b.title));
      var file = entity.code + '-' + b.field + '.csv';
      var link = text('a', 'CSV', 'stats-csv');
      link.download = file;
      link.href = URL.createObjectURL(new Blob([toCsv(buckets)], { type: 'text/csv;charset=utf-8' }));
      head.appendChild(link);
      card.appendChild(head);
      var suppressed = buckets.filter(function (x) { return x.suppressed; }).length;
      if (suppressed) card.appendChild(text('p', suppressed + ' group(s) suppressed (0 to 4 each): shown without a bar.', 'stats-note'));
      if (!buckets.length) card.appendChild(text('p', 'No one in any group.', 'stats-note'));
      var box = document.createElement('div');
      box.className = 'stats-chart';
      var height = b.horizontal ? Math.max(160, buckets.length * 22 + 40) : 260;
      box.style.height = height + 'px';
      var canvas = document.createElement('canvas');
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', b.title);
      box.appendChild(canvas);
      card.appendChild(box);
      chartsEl.appendChild(card);
      charts.push(
        new window.Chart(canvas, {
          type: 'bar',
          data: {
            labels: buckets.map(function (x) { return x.label ? x.label + ' (' + x.key + ')' : x.key; }),
            datasets: [{ label: b.title, data: buckets.map(function (x) { return x.count; }), backgroundColor: '#2f6fb0' }],
          },
          options: {
            indexAxis: b.horizontal ? 'y' : 'x',
            maintainAspectRatio: false,
            animation: false,
            plugins: { legend: { display: false } },
            scales: {
              x: { beginAtZero: true, ticks: { precision: 0 } },
              // Long names are shortened in the middle on the axis (the key at their end stays); the tooltip and CSV have them whole.
              y: { beginAtZero: true, ticks: b.horizontal ? { callback: shortLabel } : { precision: 0 } },
            },
          },
        }),
      );
    });
    main.dataset.state = 'shown';
    status.textContent = '';
  }

  function load(e) {
    if (e) e.preventDefault();
    var k = kind.value;
    var c = code.value.trim();
    if (!c) return;
    main.dataset.state = 'loading';
    status.textContent = 'Loading…';
    gql(statsQuery(k), { code: c }).then(
      function (data) {
        if (!data[k]) {
          clear();
          main.dataset.state = 'error';
          status.textContent = 'No ' + k + ' with the code ' + c + '.';
          return;
        }
        show(k, data[k]);
        history.replaceState(null, '', '/stats?' + new URLSearchParams({ kind: k, code: c }).toString());
      },
      function (err) {
        clear();
        main.dataset.state = 'error';
        status.textContent = 'The hub refused: ' + err.message;
      },
    );
  }

  window.hubStatsQuery = statsQuery;
  form.addEventListener('submit', load);
  kind.addEventListener('change', fillCodes);
  var params = new URLSearchParams(location.search);
  if (params.get('kind') === 'association') kind.value = 'association';
  fillCodes();
  if (params.get('code')) {
    code.value = params.get('code');
    load();
  }
})();
