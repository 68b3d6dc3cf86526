import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase } from './support/db';
import { freePort, killStrayHubs, processesMentioning, query, runCli, startHub, tempDataDir, waitReady } from './support/process';

jest.setTimeout(240_000);
afterAll(killStrayHubs);

const SOCTRANG = `{ federation(code: "SOCTRANG") { name foundedOn foundingDecision { number date issuer } status statusChangedOn successor { code }
  parent { code } legalBases { number date issuer } associations { totalCount } formerAssociations(first: 20) { totalCount edges { node { code federation { code } } } } } }`;

describe('the embedded database lifecycle', () => {
  const dataDir = tempDataDir();
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts, serves the demo data, refuses a second hub, stops cleanly, and keeps data across restarts', async () => {
    const port = await freePort();
    const hub = startHub({ DATA_DIR: dataDir, TZ: 'Asia/Ho_Chi_Minh' }, port);
    await waitReady(hub);
    expect(hub.output()).toContain(`Federation Hub ready at http://localhost:${port}/graphql`);
    expect((await fetch(`${hub.base}/healthz`)).status).toBe(200);

    // main.ts starts the statistics warm-up as it becomes ready (the cache is on outside tests):
    // /readyz says 'running' until it is over, then 'done'; the status stays 200.
    const warmup: string[] = [];
    for (const until = Date.now() + 60_000; ; ) {
      const r = await fetch(`${hub.base}/readyz`);
      expect(r.status).toBe(200);
      const state = ((await r.json()) as { statsWarmup?: string }).statsWarmup ?? 'missing';
      if (warmup[warmup.length - 1] !== state) warmup.push(state);
      if (state !== 'running' || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // On the small demo data the warm-up may be over before the first look.
    expect([['running', 'done'], ['done']]).toContainEqual(warmup);

    // The source facts, exactly; dates do not shift under TZ=Asia/Ho_Chi_Minh.
    const d = await query(hub, SOCTRANG);
    expect(d.federation).toMatchObject({
      name: 'Liên hiệp các Hội Khoa học và Kỹ thuật Sóc Trăng',
      foundedOn: '2007-05-17',
      foundingDecision: { number: '192/QĐTC-CTUBND', date: '2007-05-17' },
      parent: { code: 'VUSTA' },
      // Merged into Cần Thơ on 1 July 2025 (the governance demo records it with mergeFederation's
      // function): its 17 associations are Cần Thơ's now, listed as former ones.
      status: 'MERGED',
      statusChangedOn: '2025-07-01',
      successor: { code: 'CANTHO' },
      associations: { totalCount: 0 },
    });
    expect(d.federation.formerAssociations.totalCount).toBe(17);
    expect(d.federation.formerAssociations.edges.every((e: { node: { federation: { code: string } } }) => e.node.federation.code === 'CANTHO')).toBe(true);
    expect(d.federation.legalBases).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ number: '42-CT/TW', date: '2010-04-16' }),
        expect.objectContaining({ number: '1795/QĐ-TTg', date: '2015-10-21' }),
      ]),
    );

    // hub.json tells the CLI how to reach the database; it holds a password, so 0600.
    const hubFile = path.join(dataDir, 'hub.json');
    expect(fs.statSync(hubFile).mode & 0o777).toBe(0o600);
    const info = JSON.parse(fs.readFileSync(hubFile, 'utf8'));
    expect(info.pid).toBe(hub.child.pid);

    // A row written now must survive the restart.
    const c = new Client({ connectionString: info.databaseUrl });
    await c.connect();
    await c.query(`insert into federation (code, name, level, legal_bases) values ('KEEP-ME', 'Liên hiệp giữ lại', 'PROVINCIAL', '[]')`);
    await c.end();

    // The CLI works while the hub runs, through the hub's database.
    const cli = await runCli(['migrate'], { DATA_DIR: dataDir });
    expect(cli.out).toContain('using the database of the hub');
    expect(cli.code).toBe(0);

    // A second hub on the same DATA_DIR refuses, and the first keeps serving.
    const second = startHub({ DATA_DIR: dataDir }, await freePort());
    expect(await second.exited).not.toBe(0);
    expect(second.output()).toMatch(/already using DATA_DIR/);
    expect((await query(hub, '{ federation(code: "KEEP-ME") { code } }')).federation).toEqual({ code: 'KEEP-ME' });

    // SIGTERM: clean exit, no postgres left, lock and hub.json gone.
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
    expect(processesMentioning(path.join(dataDir, 'pg'))).toEqual([]);
    expect(fs.existsSync(hubFile)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'hub.lock'))).toBe(false);

    // Restart: same data, not seeded twice.
    const again = startHub({ DATA_DIR: dataDir }, await freePort());
    await waitReady(again);
    expect((await query(again, '{ federation(code: "KEEP-ME") { code } }')).federation).toEqual({ code: 'KEEP-ME' });
    expect((await query(again, '{ federations { totalCount } }')).federations.totalCount).toBe(4);
    expect(again.output()).not.toContain('demo data loaded');
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
    expect(processesMentioning(path.join(dataDir, 'pg'))).toEqual([]);
  });

  it('the CLI starts the embedded database itself when no hub runs, and stops it', async () => {
    const r = await runCli(['migrate'], { DATA_DIR: dataDir });
    expect(r.code).toBe(0);
    expect(r.out).toContain('no hub is running');
    expect(processesMentioning(path.join(dataDir, 'pg'))).toEqual([]);
  });

  it('recovers after the hub was killed with SIGKILL (an orphaned postgres is shut down)', async () => {
    const hub = startHub({ DATA_DIR: dataDir }, await freePort());
    await waitReady(hub);
    hub.child.kill('SIGKILL');
    await hub.exited;
    const again = startHub({ DATA_DIR: dataDir }, await freePort());
    await waitReady(again);
    expect((await query(again, '{ federation(code: "KEEP-ME") { code } }')).federation).toEqual({ code: 'KEEP-ME' });
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(processesMentioning(path.join(dataDir, 'pg'))).toEqual([]);
  });
});

/**
 * The consultation module's demo data, read in SQL (the read API is another module's part): eight
 * requests of the Sóc Trăng and Cần Thơ unions across the lifecycle, all marked demo.
 */
async function checkConsultationDemo(url: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query(
      `select f.code, r.status, r.visibility, r.demo, r.title, r.due_on::text as due_on,
         (r.due_on < (now() at time zone 'Asia/Ho_Chi_Minh')::date and r.status in ('REQUESTED', 'SCREENING', 'ACCEPTED', 'PANEL_FORMED', 'IN_REVIEW')) as overdue,
         (select count(*)::int from consultation_transition t where t.request_id = r.id) as moves,
         (select t."to" from consultation_transition t where t.request_id = r.id order by t.id desc limit 1) as last_move,
         (select count(*)::int from consultation_request_document d where d.request_id = r.id) as documents,
         (select count(*)::int from consultation_panel_member p where p.request_id = r.id and p.role = 'CHAIR') as chairs,
         (select count(*)::int from consultation_opinion o where o.request_id = r.id) as opinions,
         p.response_received_on is not null as answered,
         (select count(*)::int from consultation_recommendation x where x.request_id = r.id and x.outcome is not null) as outcomes
       from consultation_request r join federation f on f.id = r.federation_id left join consultation_report p on p.request_id = r.id
       order by r.id`,
    );
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((r) => r.code))).toEqual(new Set(['SOCTRANG', 'CANTHO']));
    expect(rows.every((r) => r.demo)).toBe(true);
    expect(rows.map((r) => r.status).sort()).toEqual(
      ['ACCEPTED', 'CLOSED', 'DECLINED', 'IN_REVIEW', 'PANEL_FORMED', 'REPORT_SUBMITTED', 'REQUESTED', 'SCREENING'].sort(),
    );
    // Vietnamese titles; every request's history ends at its status.
    for (const r of rows) {
      expect(r.title).toMatch(/^(Tư vấn|Phản biện xã hội|Giám định xã hội) /u);
      expect(r.last_move).toBe(r.status);
      expect(r.moves).toBeGreaterThan(0);
    }
    expect(rows.filter((r) => r.visibility === 'CONFIDENTIAL')).toHaveLength(1);
    expect(rows.filter((r) => r.overdue)).toEqual([expect.objectContaining({ status: 'IN_REVIEW', due_on: '2025-10-15' })]);
    // One closed with the agency's answer: a report, every recommendation answered.
    const closed = rows.filter((r) => r.status === 'CLOSED');
    expect(closed).toEqual([expect.objectContaining({ answered: true, outcomes: 3, moves: 8, chairs: 1 })]);
    // Panels have a chair once formed; opinions come in review and after.
    for (const r of rows.filter((r) => ['PANEL_FORMED', 'IN_REVIEW', 'REPORT_SUBMITTED', 'CLOSED'].includes(r.status))) {
      expect(r.chairs).toBe(1);
      expect(r.documents).toBeGreaterThan(0);
    }
    expect(rows.filter((r) => r.opinions > 0).map((r) => r.status).sort()).toEqual(['CLOSED', 'IN_REVIEW', 'REPORT_SUBMITTED']);
  } finally {
    await c.end();
  }
}

describe('the external database path', () => {
  it('uses DATABASE_URL, starts no database of its own, migrates and seeds it', async () => {
    const db = await createTestDatabase();
    const dataDir = tempDataDir();
    try {
      // The template is migrated already; drop the data the hub would otherwise find missing.
      const hub = startHub({ DATABASE_URL: db.url, DATA_DIR: dataDir }, await freePort());
      await waitReady(hub);
      expect((await query(hub, SOCTRANG)).federation.foundingDecision.number).toBe('192/QĐTC-CTUBND');
      await checkConsultationDemo(db.url);
      expect(fs.existsSync(path.join(dataDir, 'pg'))).toBe(false);
      expect(fs.existsSync(path.join(dataDir, 'hub.json'))).toBe(false);
      hub.child.kill('SIGTERM');
      expect(await hub.exited).toBe(0);
    } finally {
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a malformed configuration with a message naming the variable', async () => {
    const hub = startHub({ PORT: 'not-a-port' }, 0);
    expect(await hub.exited).toBe(2);
    expect(hub.output()).toContain('PORT must be an integer');
  });
});
