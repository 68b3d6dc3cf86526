import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { createAssociation, createFederation, createKey } from './factories';
import { launchBrowser, offlinePage } from './support/browser';
import { startTestHub, TestHub } from './support/harness';

/**
 * The GraphiQL explorer the hub serves itself (src/web/): tried in a real Chromium on which every
 * request outside the hub's origin fails, as on an intranet without internet.
 */
let t: TestHub;
let origin: string;
let browser: Browser | undefined;
const opsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-ops-'));

beforeAll(async () => {
  fs.mkdirSync(path.join(opsDir, 'stats'));
  fs.writeFileSync(path.join(opsDir, 'viewer.graphql'), '# Who am I?\nquery ViewerRole {\n  viewer {\n    role\n    keyLabel\n  }\n}\n');
  fs.writeFileSync(
    path.join(opsDir, 'stats', 'federation.graphql'),
    'query FederationCounts($code: String!) { federation(code: $code) { ...Counts } }\nquery Federations { federations(first: 3) { totalCount } }\nfragment Counts on Federation { stats { activeMembers } }\n',
  );
  fs.writeFileSync(path.join(opsDir, 'broken.graphql'), 'query Broken {');
  t = await startTestHub({}, { web: { operationsDir: opsDir } });
  origin = new URL(t.url).origin;
});
afterAll(async () => {
  await browser?.close();
  await t.close();
  fs.rmSync(opsDir, { recursive: true, force: true });
});

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('the explorer over HTTP', () => {
  it('is served at /explorer and at /graphql for a browser, with a self-only CSP', async () => {
    for (const url of [`${origin}/explorer`, t.url]) {
      const r = await fetch(url, { headers: { accept: BROWSER_ACCEPT } });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = r.headers.get('content-security-policy')!;
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/connect-src 'self'(;|$)/);
      expect(csp).toMatch(/worker-src 'self'(;|$)/); // Monaco's workers from the hub's files, no blob:
      // GraphiQL and Monaco add <style> elements at run time (no nonce support): inline styles only.
      expect(csp).toMatch(/style-src 'self' 'unsafe-inline'(;|$)/);
      expect(csp).not.toMatch(/https?:|\*|unsafe-eval|blob:/);
      expect(r.headers.get('cache-control')).toBe('no-cache');
      const html = await r.text();
      expect(html).toMatch(/yoga-graphiql\.umd\.js/);
      expect(html).not.toMatch(/<script>|https?:\/\//); // no inline script, nothing from elsewhere
    }
  });

  it('leaves GraphQL GET and POST requests to Apollo, as before', async () => {
    const query = `${t.url}?query=${encodeURIComponent('{ __typename }')}`;
    const get = await fetch(query, { headers: { accept: 'application/graphql-response+json', 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
    // Apollo's CSRF prevention still refuses a simple GET (no preflight header, no JSON content type).
    const simple = await fetch(query, { headers: { accept: 'application/json' } });
    expect(simple.status).toBe(400);
    expect(simple.headers.get('content-type')).toMatch(/json/);
    // A client's GET without a query is still Apollo's 400, not the page.
    const empty = await fetch(t.url, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(empty.status).toBe(400);
    expect(empty.headers.get('content-type')).toMatch(/json/);
    expect((await t.gql('{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
    // A browser's GET with a query gets the page, as Apollo's landing page did (it opens the query).
    const browserGet = await fetch(query, { headers: { accept: BROWSER_ACCEPT } });
    expect(browserGet.status).toBe(200);
    expect(browserGet.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('serves the example operations of the operations folder, one per operation, with their fragments', async () => {
    const r = await fetch(`${origin}/explorer/operations.json`);
    expect(r.status).toBe(200);
    const body: any = await r.json();
    expect(body.operations.map((o: any) => [o.name, o.kind, o.file])).toEqual([
      ['FederationCounts', 'query', 'stats/federation.graphql'],
      ['Federations', 'query', 'stats/federation.graphql'],
      ['ViewerRole', 'query', 'viewer.graphql'],
    ]);
    const counts = body.operations[0].document;
    expect(counts).toMatch(/^query FederationCounts/);
    expect(counts).toMatch(/fragment Counts on Federation/);
    expect(body.operations[1].document).not.toMatch(/fragment/);
    expect(body.operations[2].document).toMatch(/^# Who am I\?/);
    expect(body.errors).toEqual([{ file: 'broken.graphql', message: expect.stringMatching(/Syntax Error/) }]);
  });

  it('caches the vendored files for a year and names them by version', async () => {
    const html = await (await fetch(`${origin}/explorer`)).text();
    const files = [...html.matchAll(/(?:src|href)="(\/(?:vendor|assets)\/[^"]+)"/g)].map((m) => m[1]);
    expect(files).toHaveLength(5);
    for (const file of files) {
      const r = await fetch(origin + file);
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    }
    const version = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vendor', 'graphiql', 'VERSION.json'), 'utf8')).version;
    expect(files).toContain(`/vendor/graphiql-${version}/yoga-graphiql.umd.js`);
    expect((await fetch(`${origin}/vendor/graphiql-${version}/graphql.worker.js`)).status).toBe(200);
    expect((await fetch(`${origin}/vendor/graphiql-${version}/../../package.json`)).status).toBe(404);
  });
});

describe('the explorer in Chromium, offline', () => {
  it('runs a query with an API key from the headers editor and shows the result; nothing leaves the hub', async () => {
    browser = await launchBrowser(); // fails, saying how to install Chromium, when it is missing
    const { page, outside, consoleErrors } = await offlinePage(browser, origin);
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const key = await createKey(t.em(), 'ANALYST');

    // A browser's GET of /graphql: the explorer (and its address becomes /explorer).
    const res = await page.goto(t.url);
    expect(res!.status()).toBe(200);
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .monaco-editor');
    expect(new URL(page.url()).pathname).toBe('/explorer');
    await page.locator('.graphiql-query-editor', { hasText: 'Federation Hub: type a query' }).waitFor(); // the hub's welcome tab

    // The API key, typed into the Headers editor.
    const headers = page.locator('.graphiql-editor-tool .monaco-editor[data-uri$="headers.json"]');
    await page.locator('.graphiql-editor-tools button', { hasText: 'Headers' }).click();
    await headers.waitFor();
    await headers.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${key.key}` }));
    // GraphiQL stores the headers a moment after the edit (debounced): wait until they are in the
    // tab's sessionStorage before the page reloads for the example operation.
    await page.waitForFunction(
      (k) => Object.values((globalThis as unknown as { sessionStorage: Record<string, string> }).sessionStorage).some((v) => String(v).includes(k)),
      key.key.slice(0, 12),
    );

    // An example operation from the list: the page opens it in a tab (the key stays, per browser tab).
    await page.waitForSelector('#hub-operations:not([disabled])');
    await page.selectOption('#hub-operations', 'ViewerRole');
    await page.waitForURL(`${origin}/explorer`);
    await page.locator('.graphiql-query-editor', { hasText: 'ViewerRole' }).waitFor();
    if (!(await headers.isVisible())) await page.locator('.graphiql-editor-tools button', { hasText: 'Headers' }).click();
    await headers.locator('.view-lines', { hasText: key.key.slice(0, 12) }).waitFor();

    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response', { hasText: /"role":\s*"ANALYST"/ }).waitFor();
    const response = await page.locator('.graphiql-response').textContent();
    expect(response).toContain('"keyLabel"');

    // The schema documentation (GraphiQL's docs explorer), from the hub's introspection.
    await page.locator('button[aria-label="Show Documentation Explorer"]').click();
    await page.waitForSelector('.graphiql-doc-explorer');
    await page.locator('.graphiql-doc-explorer a', { hasText: 'Query' }).first().waitFor();

    await page.screenshot({ path: path.join(__dirname, '..', 'docs', 'explorer.png') });
    expect(outside).toEqual([]);
    expect(violations).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('runs a subscription over a WebSocket with the key of the headers editor; a push shows up in the response', async () => {
    browser ??= await launchBrowser();
    const { page, outside, consoleErrors } = await offlinePage(browser, origin);
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const seen: string[] = []; // for the message of a failure
    page.on('console', (m) => seen.push(`${m.type()}: ${m.text()}`));
    page.on('websocket', (ws) => seen.push(`WebSocket ${ws.url()}`));
    const analyst = await createKey(t.em(), 'ANALYST');
    const admin = await createKey(t.em(), 'ADMIN');
    const federation = await createFederation(t.em());
    const association = await createAssociation(t.em(), federation);

    await page.goto(`${origin}/explorer`);
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .monaco-editor');
    const headers = page.locator('.graphiql-editor-tool .monaco-editor[data-uri$="headers.json"]');
    if (!(await headers.isVisible())) await page.locator('.graphiql-editor-tools button', { hasText: 'Headers' }).click();
    await headers.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${analyst.key}` }));
    await page.locator('.graphiql-query-editor .monaco-editor').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(`subscription Live { changed(filter: { associationCode: "${association.code}" }) { type kind node { id ... on Membership { externalId } } } }`);
    await page.locator('.graphiql-query-editor', { hasText: 'subscription Live' }).waitFor();
    // GraphiQL keeps the headers a moment after the edit (debounced): run once they are kept.
    await page.waitForFunction(
      (k) => Object.values((globalThis as unknown as { sessionStorage: Record<string, string> }).sessionStorage).some((v) => String(v).includes(k)),
      analyst.key.slice(0, 12),
    );

    const before = t.hub.subscriptions.stats().subscriptions;
    await page.locator('.graphiql-execute-button').click();
    // Subscribed (with the analyst's key: an anonymous one would not see a person without a public profile).
    for (const until = Date.now() + 30_000; t.hub.subscriptions.stats().subscriptions <= before; ) {
      if (Date.now() > until) throw new Error(`the explorer did not subscribe; the page saw: ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const r = await t.gql(
      'mutation($input: UpsertMembersInput!) { upsertMembers(input: $input) { created } }',
      { input: { associationCode: association.code, idempotencyKey: `explorer-${association.code}`, members: [{ externalId: 'HV-LIVE', fullName: 'Trần Văn Trực Tiếp', publicProfile: false }] } },
      admin.headers,
    );
    expect(r.body.data?.upsertMembers.created).toBe(1);
    await page.locator('.graphiql-response', { hasText: /"externalId":\s*"HV-LIVE"/ }).waitFor();

    // Stopping the run completes the subscription on the hub.
    await page.locator('.graphiql-execute-button').click();
    for (const until = Date.now() + 30_000; t.hub.subscriptions.stats().subscriptions > before; ) {
      if (Date.now() > until) throw new Error('the explorer did not complete its subscription');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(outside).toEqual([]);
    expect(violations).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
