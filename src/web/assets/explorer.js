/*
 * The explorer page (/explorer): GraphiQL 5 from vendor/graphiql (the self-contained build of
 * @graphql-yoga/graphiql), talking to the hub's /graphql only. No inline script (CSP): the page
 * gives its settings as data attributes of #graphiql.
 */
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var endpoint = root.dataset.endpoint;
  var workers = root.dataset.workers;

  // Served at /graphql for a browser too: GraphiQL writes ?query=… into the address, and a reload
  // of /graphql?query=… would be a GraphQL GET (JSON), not this page.
  if (location.pathname !== '/explorer') history.replaceState(null, '', '/explorer' + location.search);

  // Monaco's workers, from the hub's own files (worker-src 'self': no blob: URLs, no CDN).
  self.MonacoEnvironment = {
    getWorker: function (_moduleId, label) {
      var name = label === 'graphql' ? 'graphql' : label === 'json' ? 'json' : 'editor';
      return new Worker(workers + name + '.worker.js', { name: label });
    },
  };

  // Plain POST of JSON to the hub, with the headers of the Headers editor (the API key).
  function fetcher(params, opts) {
    var headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    var extra = (opts && opts.headers) || {};
    Object.keys(extra).forEach(function (k) {
      headers[k] = String(extra[k]);
    });
    return fetch(endpoint, { method: 'POST', headers: headers, body: JSON.stringify(params), credentials: 'omit' }).then(function (r) {
      return r.json();
    });
  }

  var params = new URLSearchParams(location.search);
  var wanted = params.get('operation');

  function render(operations) {
    var select = document.getElementById('hub-operations');
    select.textContent = '';
    var first = document.createElement('option');
    first.value = '';
    first.textContent = operations.length ? 'open one in a tab…' : '(none in schema/operations/)';
    select.appendChild(first);
    operations.forEach(function (op) {
      var o = document.createElement('option');
      o.value = op.name;
      o.textContent = op.name + ' (' + op.kind + ', ' + op.file + ')';
      select.appendChild(o);
    });
    select.disabled = !operations.length;
    // A reload with ?operation=: GraphiQL opens it in a new tab (or the tab that already holds it);
    // tabs and headers live in sessionStorage, so the key typed in Headers survives it.
    select.addEventListener('change', function () {
      if (select.value) location.assign('/explorer?operation=' + encodeURIComponent(select.value));
    });

    var chosen = wanted && operations.find(function (op) {
      return op.name === wanted;
    });
    if (wanted) history.replaceState(null, '', '/explorer');
    var props = {
      fetcher: fetcher,
      title: 'Federation Hub',
      logo: ' ',
      // API keys are secrets: kept for this browser tab only (sessionStorage), gone when it closes.
      storage: window.sessionStorage,
      shouldPersistHeaders: true,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: 'headers',
      // The tab to show: an example just chosen, else the query in the address (GraphiQL writes it
      // there while one edits, so a reload comes back to it), else the welcome query (a tab that
      // holds it is reused). Without this the build shows its own "Welcome to …" text.
      initialQuery: (chosen && chosen.document) || params.get('query') || WELCOME,
    };
    window.YogaGraphiQL.renderYogaGraphiQL(root, props);
  }

  var WELCOME =
    '# Federation Hub: type a query, Ctrl-Enter runs it.\n' +
    '# API key: Headers (below) → {"Authorization": "Bearer <key>"}; without one you are the public.\n' +
    '# Example operations: the list above. Schema documentation: the book icon (left).\n\n' +
    '{\n  viewer {\n    role\n    keyLabel\n  }\n  federations(first: 5) {\n    totalCount\n    edges {\n      node {\n        id\n        code\n        name\n      }\n    }\n  }\n}\n';

  fetch(root.dataset.operations, { credentials: 'omit' })
    .then(function (r) {
      return r.json();
    })
    .then(
      function (body) {
        (body.errors || []).forEach(function (e) {
          console.warn('schema/operations/' + e.file + ': ' + e.message);
        });
        render(body.operations || []);
      },
      function () {
        render([]);
      },
    );
})();
