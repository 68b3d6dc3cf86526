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

  // Queries and mutations: a plain POST of JSON to the hub, with the headers of the Headers editor
  // (the API key). Subscriptions: a WebSocket to the same path (graphql-ws), the Authorization
  // header sent as connectionParams.authorization, as the hub expects it.
  function fetcher(params, opts) {
    var extra = (opts && opts.headers) || {};
    if (isSubscription(params, opts)) return subscribe(params, extra);
    var headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    Object.keys(extra).forEach(function (k) {
      headers[k] = String(extra[k]);
    });
    return fetch(endpoint, { method: 'POST', headers: headers, body: JSON.stringify(params), credentials: 'omit' }).then(function (r) {
      return r.json();
    });
  }

  function isSubscription(params, opts) {
    var doc = opts && opts.documentAST;
    if (doc && doc.definitions) {
      var ops = doc.definitions.filter(function (d) {
        return d.kind === 'OperationDefinition';
      });
      var op = params.operationName
        ? ops.find(function (d) {
            return d.name && d.name.value === params.operationName;
          })
        : ops[0];
      return !!op && op.operation === 'subscription';
    }
    return /^\s*subscription\b/m.test(String(params.query || '').replace(/#[^\n]*/g, ''));
  }

  // The results of a subscription, as GraphiQL reads them (an async iterable): one WebSocket per
  // run, closed when GraphiQL stops the run. A refusal (a bad key closes the socket with its
  // reason; an error message ends the operation) is shown as an error result.
  function subscribe(params, headers) {
    var authorization;
    Object.keys(headers).forEach(function (k) {
      if (k.toLowerCase() === 'authorization') authorization = String(headers[k]);
    });
    var client = window.graphqlWs.createClient({
      url: (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + endpoint,
      connectionParams: authorization ? { authorization: authorization } : {},
      retryAttempts: 0,
    });
    var results = client.iterate({ query: params.query, variables: params.variables || undefined, operationName: params.operationName || undefined });
    var over = false;
    function end() {
      over = true;
      client.dispose();
    }
    var iterator = {
      next: function () {
        if (over) return Promise.resolve({ value: undefined, done: true });
        return results.next().then(
          function (r) {
            if (r.done) end();
            return r;
          },
          function (err) {
            end();
            var errors = Array.isArray(err)
              ? err
              : [{ message: err && err.code ? 'WebSocket closed (' + err.code + ')' + (err.reason ? ': ' + err.reason : '') : String((err && err.message) || err) }];
            return { value: { errors: errors }, done: false };
          },
        );
      },
      return: function () {
        if (!over) {
          results.return && results.return();
          end();
        }
        return Promise.resolve({ value: undefined, done: true });
      },
    };
    iterator[Symbol.asyncIterator] = function () {
      return iterator;
    };
    return iterator;
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
