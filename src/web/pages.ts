import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import { PROJECT_ROOT } from '../paths';
import { loadExampleOperations, type ExampleOperations } from './operations';
import { selfOnlyCsp, setPageHeaders, staticFiles } from './static';

/**
 * The pages the hub serves to browsers: the GraphiQL explorer (/explorer, and /graphql for a
 * browser's GET without a query) and the statistics page (/stats). Every file they load comes
 * from the hub itself (vendor/, src/web/assets/, node_modules), so they work without internet.
 */
export interface WebOptions {
  /** Folder of the example operations the explorer offers (default: schema/operations). */
  operationsDir?: string;
}

/** Where the files are, from src/ (tests) as from dist/src/ (the built hub): both resolve to the project folder. */
const ASSETS_DIR = path.join(PROJECT_ROOT, 'src', 'web', 'assets');
const GRAPHIQL_DIR = path.join(PROJECT_ROOT, 'vendor', 'graphiql');
const YEAR = 365 * 24 * 3600;

/**
 * The page's CSP. GraphiQL (React, Radix) and Monaco add `<style>` elements and style attributes
 * at run time, so the explorer needs `style-src 'unsafe-inline'` (styles only: scripts stay
 * 'self', no eval, no inline script); Monaco's workers are started from the hub's own files
 * (worker-src 'self', no blob:).
 */
export const EXPLORER_CSP = selfOnlyCsp({ styleInline: true });

/** The statistics page's CSP: nothing relaxed (Chart.js draws on a canvas and adds no styles). */
export const STATS_CSP = selfOnlyCsp();

/** graphql-ws' browser build (its client), from node_modules: the explorer runs subscriptions with it. */
const GRAPHQL_WS_PACKAGE = require.resolve('graphql-ws/package.json');
const GRAPHQL_WS_DIR = path.join(path.dirname(GRAPHQL_WS_PACKAGE), 'umd');
const GRAPHQL_WS_VERSION = (JSON.parse(fs.readFileSync(GRAPHQL_WS_PACKAGE, 'utf8')) as { version: string }).version;

/** Chart.js from node_modules (a dependency of the hub: it is in every install, the Docker image's too). */
const CHART_JS_DIR = path.dirname(require.resolve('chart.js'));
const CHART_JS_VERSION = (JSON.parse(fs.readFileSync(path.join(CHART_JS_DIR, '..', 'package.json'), 'utf8')) as { version: string }).version;

export interface WebPages {
  router: express.Router;
  /** True for a browser's GET of /graphql without a GraphQL request in it: it gets the explorer. */
  wantsExplorer(req: Request): boolean;
  explorerPage(req: Request, res: Response): void;
}

export function webPages(opts: WebOptions = {}): WebPages {
  const graphiqlVersion = readGraphiqlVersion();
  const assetsHash = folderHash(ASSETS_DIR);
  const graphiqlBase = `/vendor/graphiql-${graphiqlVersion}/`;
  const assetsBase = `/assets/${assetsHash}/`;
  const operations: ExampleOperations = loadExampleOperations(opts.operationsDir ?? path.join(PROJECT_ROOT, 'schema', 'operations'));
  const operationsJson = JSON.stringify(operations);
  const graphqlWsBase = `/vendor/graphql-ws-${GRAPHQL_WS_VERSION}/`;

  const explorerHtml = page({
    title: 'Federation Hub — GraphiQL explorer',
    styles: [`${graphiqlBase}graphiql.css`, `${assetsBase}explorer.css`],
    scripts: [`${graphiqlBase}yoga-graphiql.umd.js`, `${graphqlWsBase}graphql-ws.min.js`, `${assetsBase}explorer.js`],
    body: `<header class="hub-bar">
  <strong>Federation Hub</strong>
  <label>Example operations <select id="hub-operations" disabled><option value="">(loading…)</option></select></label>
  <span class="hub-hint">API key: open <em>Headers</em> below the query and send <code>{"Authorization": "Bearer &lt;key&gt;"}</code></span>
  <a href="/stats">Statistics</a>
</header>
<div id="graphiql" data-endpoint="/graphql" data-workers="${attr(graphiqlBase)}" data-operations="/explorer/operations.json">Loading the explorer…</div>`,
  });

  const chartBase = `/vendor/chart.js-${CHART_JS_VERSION}/`;
  const statsHtml = page({
    title: 'Federation Hub — statistics',
    styles: [`${assetsBase}stats.css`],
    scripts: [`${chartBase}chart.umd.min.js`, `${assetsBase}stats.js`],
    body: `<header class="hub-bar">
  <strong>Federation Hub · statistics</strong>
  <a href="/explorer">GraphiQL explorer</a>
</header>
<main id="stats" data-endpoint="/graphql">
<form id="stats-form" class="stats-form">
  <label>Scope <select id="stats-kind" name="kind"><option value="federation">Federation</option><option value="association">Association</option></select></label>
  <label>Code <input id="stats-code" name="code" list="stats-codes" required autocomplete="off" spellcheck="false" placeholder="e.g. SOCTRANG"></label>
  <datalist id="stats-codes"></datalist>
  <label>API key <input id="stats-key" name="key" type="password" autocomplete="off" placeholder="optional: ANALYST or ADMIN for exact figures"></label>
  <button type="submit">Show</button>
</form>
<p id="stats-status" class="stats-status" role="status">Pick a federation or an association. Without a key the figures are those of the public: counts of people rounded to a multiple of 5, groups under 5 suppressed.</p>
<section id="stats-summary" class="stats-summary"></section>
<section id="stats-charts" class="stats-charts"></section>
</main>`,
  });

  const explorerPage = (_req: Request, res: Response) => {
    setPageHeaders(res, EXPLORER_CSP);
    res.type('html').send(explorerHtml);
  };

  const router = express.Router();
  router.get('/explorer', explorerPage);
  router.get('/stats', (_req, res) => {
    setPageHeaders(res, STATS_CSP);
    res.type('html').send(statsHtml);
  });
  router.get('/explorer/operations.json', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('json').send(operationsJson);
  });
  // Versioned paths: cached for a year and never revalidated; a new version or content is a new path.
  router.use(graphiqlBase, staticFiles(GRAPHIQL_DIR, { maxAgeSeconds: YEAR, immutable: true, csp: EXPLORER_CSP }));
  router.use(assetsBase, staticFiles(ASSETS_DIR, { maxAgeSeconds: YEAR, immutable: true, csp: EXPLORER_CSP }));
  // Only Chart.js's browser build (and its source map), not the rest of the package.
  servePackageFiles(router, chartBase, CHART_JS_DIR, ['chart.umd.min.js', 'chart.umd.min.js.map'], STATS_CSP);
  // Only graphql-ws' browser build (the explorer's subscriptions).
  servePackageFiles(router, graphqlWsBase, GRAPHQL_WS_DIR, ['graphql-ws.min.js'], EXPLORER_CSP);

  return {
    router,
    explorerPage,
    wantsExplorer(req) {
      // Apollo's own rule for its landing page (prefersHTML): a GET whose Accept header prefers
      // HTML to every GraphQL response type. GraphQL clients (JSON Accept, or none) and POSTs go on
      // to Apollo exactly as before; a browser's /graphql?query=… opens that query in the explorer.
      return req.method === 'GET' && !!req.headers.accept && req.accepts(['application/json', 'application/graphql-response+json', 'multipart/mixed', 'text/html']) === 'text/html';
    },
  };
}

function readGraphiqlVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(GRAPHIQL_DIR, 'VERSION.json'), 'utf8')) as { version: string }).version;
  } catch {
    throw new Error(`${path.join(GRAPHIQL_DIR, 'VERSION.json')} is missing: the explorer's files come from vendor/graphiql (node scripts/vendor-graphiql.js)`);
  }
}

/** A short hash of every file of `dir` (names and contents): the assets' path changes whenever one of them does. */
function folderHash(dir: string): string {
  const hash = crypto.createHash('sha256');
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile()) continue;
    hash.update(`${name}\0`).update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function page(p: { title: string; styles: string[]; scripts: string[]; body: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${attr(p.title)}</title>
<link rel="icon" href="data:,">
${p.styles.map((s) => `<link rel="stylesheet" href="${attr(s)}">`).join('\n')}
</head>
<body>
${p.body}
${p.scripts.map((s) => `<script src="${attr(s)}"></script>`).join('\n')}
</body>
</html>
`;
}

/** Only `names` of a package's directory `dir`, under the versioned path `base` (cached for a year, never revalidated). */
function servePackageFiles(router: express.Router, base: string, dir: string, names: string[], csp: string): void {
  const files = staticFiles(dir, { maxAgeSeconds: YEAR, immutable: true, csp });
  router.get(
    names.map((name) => `${base}${name}`),
    (req, res, next) => {
      req.url = req.path.slice(base.length - 1);
      files(req, res, next);
    },
  );
}
