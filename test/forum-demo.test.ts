import type { Viewer } from '../src/common/auth';
import { seedSynthetic } from '../src/db/seed/synthetic';
import { forumStatsLoaders } from '../src/modules/forum/forum-stats.loaders';
import { openOrm } from '../src/db/database';
import { createTestDatabase, TestDatabase } from './support/db';
import { DemoHub, startDemoHub } from './support/demo';

/**
 * The forum module's demo data, loaded with every module's demo seed into a fresh database (as a
 * first start does), read back in SQL: an OPEN and a CLOSED forum whatever the day, consistent
 * counters, a hidden post, reactions, and the CLOSED forum's synthesis citing its visible posts.
 */

let t: DemoHub;
beforeAll(async () => {
  t = await startDemoHub();
});
afterAll(async () => {
  await t?.close();
});

const q = <T = Record<string, any>>(sql: string, bindings: unknown[] = []): Promise<T[]> => t.q<T>(sql, bindings);

describe('forum demo data', () => {
  it('two forums of the Cần Thơ union on the draft plan: one OPEN, one CLOSED, both demo', async () => {
    const forums = await q(
      `select f.id, f.title, f.demo, f.visibility, fed.code as federation, d.title as document, d.version_label, d.demo as document_demo,
         case when f.archived_at is not null then 'ARCHIVED' when f.closed_at is not null or f.closes_at <= now() then 'CLOSED'
              when f.opens_at <= now() then 'OPEN' else 'DRAFT' end as status,
         (select count(*)::int from policy_document_section s where s.document_id = d.id) as sections
       from forum f join federation fed on fed.id = f.federation_id join policy_document d on d.id = f.document_id order by f.id`,
    );
    expect(forums.map((f) => f.status)).toEqual(['CLOSED', 'OPEN']);
    for (const f of forums) {
      expect(f).toMatchObject({ demo: true, document_demo: true, federation: 'CANTHO', visibility: 'PUBLIC' });
      expect(f.document).toBe('Dự thảo Kế hoạch chuyển đổi số trong nông nghiệp thành phố Cần Thơ giai đoạn 2026–2030');
      expect(f.sections).toBeGreaterThanOrEqual(5);
    }
    expect(forums.map((f) => f.version_label)).toEqual(['Dự thảo lần 1', 'Dự thảo lần 2']);
  });

  it('threads, posts, replies and reactions in Vietnamese by current members of demo associations; counters agree with the rows', async () => {
    const posts = await q(
      `select p.id, p.body, p.demo, p.by_federation, p.author_id, p.parent_id, p.hidden_at, p.hidden_reason, p.stance, p.section_id, p.thread_id,
         (select count(*)::int from membership m where m.intellectual_id = p.author_id and m.association_id = p.association_id and m.status <> 'ENDED') as memberships,
         (select a.demo from association a where a.id = p.association_id) as association_demo
       from forum_post p`,
    );
    expect(posts.length).toBeGreaterThanOrEqual(15);
    expect(posts.every((p) => p.demo)).toBe(true);
    expect(posts.some((p) => /[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]/u.test(p.body))).toBe(true);
    for (const p of posts.filter((x) => !x.by_federation)) {
      expect(p.memberships).toBe(1);
      expect(p.association_demo).toBe(true);
    }
    expect(posts.filter((p) => p.by_federation)).toHaveLength(1);
    expect(posts.filter((p) => p.parent_id !== null).length).toBeGreaterThanOrEqual(4);
    // One hidden post, with its reason; its reply is kept.
    const hidden = posts.filter((p) => p.hidden_at !== null);
    expect(hidden).toHaveLength(1);
    expect(hidden[0]!.hidden_reason).toMatch(/\S/u);
    expect(posts.some((p) => p.parent_id === hidden[0]!.id)).toBe(true);
    // A reply is in its parent's thread.
    const byId = new Map(posts.map((p) => [p.id, p]));
    for (const p of posts.filter((x) => x.parent_id !== null)) expect(byId.get(p.parent_id)!.thread_id).toBe(p.thread_id);

    const wrong = await q(
      `select 'post' as what, p.id from forum_post p
         where p.reply_count <> (select count(*) from forum_post c where c.parent_id = p.id)
            or p.support_count <> (select count(*) from forum_reaction r where r.post_id = p.id and r.kind = 'SUPPORT')
            or p.oppose_count <> (select count(*) from forum_reaction r where r.post_id = p.id and r.kind = 'OPPOSE')
       union all
       select 'thread', t.id from forum_thread t
         where t.post_count <> (select count(*) from forum_post p where p.thread_id = t.id)
            or t.last_activity_at <> (select max(p.created_at) from forum_post p where p.thread_id = t.id)
            or not t.demo
       union all
       select 'forum', f.id from forum f
         where f.post_count <> (select count(*) from forum_post p where p.forum_id = f.id)
            or f.thread_count <> (select count(*) from forum_thread t where t.forum_id = f.id)
            or f.last_activity_at is distinct from (select max(p.created_at) from forum_post p where p.forum_id = f.id)
       union all
       select 'post outside its forum''s open time', p.id from forum_post p join forum f on f.id = p.forum_id
         where p.created_at < f.opens_at or p.created_at >= least(f.closes_at, now())`,
    );
    expect(wrong).toEqual([]);
    const [reactions] = await q(`select count(*)::int as n, count(distinct kind)::int as kinds from forum_reaction`);
    expect(reactions).toEqual({ n: expect.any(Number), kinds: 2 });
    expect(reactions!.n).toBeGreaterThanOrEqual(10);
    // One thread the federation opened, locked; one edited post with its first body kept.
    expect(await q(`select by_federation, locked from forum_thread where locked`)).toEqual([{ by_federation: true, locked: true }]);
    expect(await q(`select r.revision, p.version, p.edited_at is not null as edited from forum_post_revision r join forum_post p on p.id = r.post_id`)).toEqual([{ revision: 1, version: 2, edited: true }]);
  });

  it('the CLOSED forum has a published synthesis whose recommendations cite visible posts of that forum', async () => {
    const rows = await q(
      `select f.id as forum, s.summary, s.published_at > f.closes_at as after_close, s.published_at <= now() as published,
         r.number, r.text, sec.number as section, c.post_id, p.forum_id as post_forum, p.hidden_at is null as visible
       from forum_synthesis s join forum f on f.id = s.forum_id
         join forum_synthesis_recommendation r on r.synthesis_id = s.id
         left join policy_document_section sec on sec.id = r.section_id and sec.document_id = f.document_id
         join forum_synthesis_citation c on c.recommendation_id = r.id join forum_post p on p.id = c.post_id
       order by r.number, c.id`,
    );
    expect(new Set(rows.map((r) => r.forum)).size).toBe(1);
    const [closed] = await q(`select id from forum where closes_at <= now()`);
    expect(rows[0]!.forum).toBe(closed!.id);
    expect([...new Set(rows.map((r) => r.number))]).toEqual([1, 2, 3]);
    for (const r of rows) {
      expect(r).toMatchObject({ after_close: true, published: true, post_forum: closed!.id, visible: true });
      expect(r.section).not.toBeNull();
    }
    expect(rows[0]!.summary).toMatch(/hội thành viên/u);
  });

  it('the stats of the demo forums: the public sees small groups merged, ADMIN sees them all', async () => {
    const forums = (await q<{ id: number }>(`select id from forum order by id`)).map((f) => f.id);
    const stats = async (role: Viewer['role']) => {
      const l = forumStatsLoaders(t.orm.em.fork(), { role, keyId: null, keyLabel: null, associationId: null });
      return Promise.all(forums.map(async (id) => ({ ...(await l.forumStatTotals.load(id)), byAssociation: await l.forumStatAssociations.load(id), bySection: await l.forumStatSections.load(id) })));
    };
    const admin = await stats('ADMIN');
    const pub = await stats('PUBLIC');
    const [counts] = await q<{ posts: number }>(`select count(*)::int as posts from forum_post`);
    expect(admin.reduce((n, s) => n + s.posts, 0)).toBe(counts!.posts);
    for (const [i, s] of pub.entries()) {
      expect(s.posts).toBe(admin[i]!.posts);
      // Every association took part with fewer than 5 people: one merged row for the public.
      expect(admin[i]!.byAssociation.length).toBeGreaterThan(1);
      expect(s.byAssociation).toEqual([expect.objectContaining({ associationId: null, merged: admin[i]!.byAssociation.length })]);
      expect(s.bySection.reduce((n, x) => n + x.posts, 0)).toBe(s.posts);
    }
  });
});

describe('synthetic forum (seed --synthetic --forum-posts P)', () => {
  let s: TestDatabase;
  let forumPosts = 0;
  beforeAll(async () => {
    s = await createTestDatabase();
    forumPosts = (await seedSynthetic(s.url, { intellectuals: 300, associations: 4, requests: 0, opinions: 0, forumPosts: 500, seed: 1 })).forumPosts;
  }, 120_000);
  afterAll(async () => {
    await s?.drop();
  });

  it('one OPEN forum whose first thread holds P posts in id order, replies to earlier top-level posts of their thread, counters from the rows', async () => {
    const c = await openOrm(s.url, 1);
    try {
      const run = async (sql: string) => (await c.em.getConnection().execute(sql)) as Record<string, any>[];
      expect(forumPosts).toBe(500 + 19 * 10);
      const [f] = await run(`select count(*)::int as n, min(post_count) as posts, min(thread_count) as threads, bool_and(opens_at <= now() and closes_at > now() and visibility = 'PUBLIC') as open from forum`);
      expect(f).toEqual({ n: 1, posts: 690, threads: 20, open: true });
      const threads = await run(`select id, post_count from forum_thread order by id`);
      expect(threads[0]!.post_count).toBe(500);
      expect(threads.slice(1).every((t) => t.post_count === 10)).toBe(true);
      const [check] = await run(
        `select
           count(*) filter (where p.parent_id is not null)::int as replies,
           count(*) filter (where p.parent_id is not null and (q.thread_id <> p.thread_id or q.parent_id is not null or q.id >= p.id))::int as bad_replies,
           count(*) filter (where p.author_id is null or not exists (select 1 from membership m where m.intellectual_id = p.author_id and m.association_id = p.association_id and m.status <> 'ENDED'))::int as bad_authors,
           count(*) filter (where p.created_at >= now())::int as future,
           count(*) filter (where p.reply_count <> (select count(*) from forum_post r where r.parent_id = p.id))::int as bad_counts
         from forum_post p left join forum_post q on q.id = p.parent_id`,
      );
      expect(check!.replies).toBeGreaterThan(50);
      expect(check).toMatchObject({ bad_replies: 0, bad_authors: 0, future: 0, bad_counts: 0 });
      // Within a thread, ids follow created_at (the order the writes give them).
      const [order] = await run(`select count(*)::int as n from (select created_at < lag(created_at) over (partition by thread_id order by id) as back from forum_post) x where back`);
      expect(order!.n).toBe(0);
    } finally {
      await c.close(true);
    }
  });
});
