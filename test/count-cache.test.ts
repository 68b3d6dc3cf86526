import { Client } from 'pg';
import { loadConfig } from '../src/config';
import { createServer, Hub } from '../src/server';
import { createAssociation, createFederation, createGraph, createKey } from './factories';
import { startTestHub, TestHub } from './support/harness';

/**
 * totalCount of top-level lists kept between requests (src/common/count-cache.ts): answered from
 * memory only while no write through the hub has committed since, on this hub or another.
 */
describe('kept counts of top-level lists', () => {
  let hub: TestHub;
  const others: Hub[] = [];
  let analyst: Record<string, string>;
  let admin: Record<string, string>;
  let code: string;

  const COUNT = `query Count { intellectuals(first: 2) { totalCount edges { node { id } } } }`;
  const count = async (via: TestHub = hub): Promise<{ total: number; sql: number }> => {
    const r = await via.gql<{ intellectuals: { totalCount: number } }>(COUNT, undefined, analyst);
    expect(r.body.errors).toBeUndefined();
    return { total: r.body.data!.intellectuals.totalCount, sql: r.sql };
  };
  const push = (externalId: string, fullName: string, url = hub.url) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...admin },
      body: JSON.stringify({
        query: `mutation($input: UpsertMembersInput!) { upsertMembers(input: $input) { created userErrors { code } } }`,
        variables: { input: { associationCode: code, idempotencyKey: `push-${externalId}`, members: [{ externalId, fullName }] } },
      }),
    }).then((r) => r.json() as Promise<{ data: { upsertMembers: { created: number; userErrors: unknown[] } } }>);
  /** Another hub on the same database; its URL. */
  const anotherHub = async (countCacheSeconds: string): Promise<string> => {
    const o = await createServer(hub.orm, loadConfig({ NODE_ENV: 'test', DATABASE_URL: hub.db.url, LOG_LEVEL: 'silent', EXPOSE_SQL_STATS: 'true', COUNT_CACHE_SECONDS: countCacheSeconds }));
    others.push(o);
    await new Promise<void>((resolve) => o.httpServer.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(o.httpServer.address() as { port: number }).port}/graphql`;
  };
  /** A person added behind the hub's back: no change record, as the command line's seeds do. */
  const addBehind = async (c: Client) => {
    await c.query(`insert into intellectual (full_name, given_name) values ('Hồ Thị Ẩn', 'Ẩn')`);
  };

  beforeAll(async () => {
    hub = await startTestHub({ COUNT_CACHE_SECONDS: '600' });
    const em = hub.em();
    const federation = await createFederation(em);
    const { associations } = await createGraph(em, { associations: 2, members: 5, federation });
    code = associations[0].code;
    await createAssociation(em, federation);
    analyst = (await createKey(em, 'ANALYST')).headers;
    admin = (await createKey(em, 'ADMIN')).headers;
  });
  afterAll(async () => {
    for (const o of others) await o.stop();
    await hub?.close();
  });

  it('answers a count again without counting while nothing is written, and counts again after a write through the hub', async () => {
    const c = new Client({ connectionString: hub.db.url });
    await c.connect();
    try {
      const first = await count();
      expect(first).toEqual({ total: 10, sql: 1 });
      // Kept: a row added outside the hub (no change record) is not seen until a write through the hub.
      await addBehind(c);
      expect(await count()).toEqual({ total: 10, sql: 1 });
      const pushed = await push('HV-CC-1', 'Nguyễn Văn Đức');
      expect(pushed.data.upsertMembers).toEqual({ created: 1, userErrors: [] });
      expect((await count()).total).toBe(12);
    } finally {
      await c.end();
    }
  });

  it('counts again when a write that was running while it counted commits later', async () => {
    const before = (await count()).total;
    const c = new Client({ connectionString: hub.db.url });
    await c.connect();
    try {
      // A write in progress: its person and its change record are not visible yet.
      await c.query('begin');
      await addBehind(c);
      await c.query(`insert into change_event (entity_type, entity_id, kind) values ('Intellectual', currval('intellectual_id_seq')::int, 'CREATED')`);
      expect((await count()).total).toBe(before);
      expect((await count()).total).toBe(before); // kept while it runs: its commit moves the generation
      await c.query('commit');
      expect((await count()).total).toBe(before + 1);
    } finally {
      await c.end();
    }
  });

  it('counts again after a write through another hub on the same database', async () => {
    const otherUrl = await anotherHub('600');
    const before = (await count()).total;
    expect((await count()).total).toBe(before);
    const pushed = await push('HV-CC-2', 'Trần Thị Hồng Đào', otherUrl);
    expect(pushed.data.upsertMembers.created).toBe(1);
    expect((await count()).total).toBe(before + 1);
  });

  it('answers each viewer and each filter what a hub that keeps nothing answers', async () => {
    const plainUrl = await anotherHub('0');
    const em = hub.em();
    const association = await em.findOneOrFail('Association', { code }, {});
    const viewers = [analyst, (await createKey(em, 'ASSOCIATION', association as never)).headers, {}];
    const docs = [COUNT, `query ByAssociation { intellectuals(first: 1, filter: { associationCode: "${code}" }) { totalCount } }`, `query Assoc { associations(first: 1) { totalCount } }`];
    const ask = (url: string, query: string, headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) }).then((r) => r.json() as Promise<{ data?: unknown; errors?: unknown[] }>);
    for (const headers of viewers) {
      for (const query of docs) {
        const expected = await ask(plainUrl, query, headers);
        expect(expected.errors).toBeUndefined();
        expect(await ask(hub.url, query, headers)).toEqual(expected);
        expect(await ask(hub.url, query, headers)).toEqual(expected); // the second from memory
      }
    }
  });
});
