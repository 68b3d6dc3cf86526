import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { Intellectual } from '../../src/modules/intellectual/intellectual.entity';
import { Membership } from '../../src/modules/intellectual/membership.entity';
import { ForumStatus, ForumVisibility, PostStance, ReactionKind } from '../../src/modules/forum/forum.enums';

/**
 * Read fixtures of the forum module, written straight into the database with SQL (the mutations
 * have their own tests), fast enough for a thread of 10,000 posts (one multi-row insert). Each
 * builder keeps the counters the writes keep: forum thread_count, post_count, last_activity_at;
 * thread post_count, last_activity_at; post reply_count, support_count, oppose_count.
 * Vietnamese text throughout, as the hub's data is.
 */

type Row = { id: number } & Record<string, any>;
type Ref = { id: number };

const knexOf = (em: EntityManager): Knex => em.getKnex();
const DAY = 86_400_000;
const idOf = (r: Ref | number | null | undefined): number | null => (r === null || r === undefined ? null : typeof r === 'number' ? r : r.id);

export interface ForumData {
  title?: string;
  description?: string | null;
  /** Sets the times (and closed/archived) so that the forum has this status now. */
  status?: ForumStatus;
  opensAt?: Date;
  closesAt?: Date;
  closedAt?: Date | null;
  archivedAt?: Date | null;
  visibility?: ForumVisibility;
  tags?: string[];
  consultationRequest?: Ref | null;
  demo?: boolean;
}

/** Times giving `status` now (OPEN: opened `age` days ago, closes in 30 days). */
function timesFor(status: ForumStatus, age = 3): Pick<ForumData, 'opensAt' | 'closesAt' | 'closedAt' | 'archivedAt'> {
  const now = Date.now();
  switch (status) {
    case ForumStatus.DRAFT:
      return { opensAt: new Date(now + 10 * DAY), closesAt: new Date(now + 40 * DAY) };
    case ForumStatus.OPEN:
      return { opensAt: new Date(now - age * DAY), closesAt: new Date(now + 30 * DAY) };
    case ForumStatus.CLOSED:
      return { opensAt: new Date(now - 60 * DAY), closesAt: new Date(now - 2 * DAY) };
    case ForumStatus.ARCHIVED:
      return { opensAt: new Date(now - 90 * DAY), closesAt: new Date(now - 30 * DAY), archivedAt: new Date(now - DAY) };
  }
}

/** A forum of `federation` on `document` (OPEN and PUBLIC unless said otherwise). */
export type ForumRow = Row;

export async function createForum(em: EntityManager, federation: Ref, document: Ref, data: ForumData = {}): Promise<Row> {
  const { status = ForumStatus.OPEN, consultationRequest, ...rest } = data;
  const times = { ...timesFor(status), ...rest };
  const [row] = await knexOf(em)('forum')
    .insert({
      federation_id: federation.id,
      document_id: document.id,
      consultation_request_id: idOf(consultationRequest),
      title: times.title ?? 'Góp ý Dự thảo Kế hoạch chuyển đổi số trong nông nghiệp thành phố Cần Thơ',
      description: times.description === undefined ? 'Mời các hội viên góp ý dự thảo theo từng mục.' : times.description,
      opens_at: times.opensAt,
      closes_at: times.closesAt,
      closed_at: times.closedAt ?? null,
      archived_at: times.archivedAt ?? null,
      visibility: times.visibility ?? ForumVisibility.PUBLIC,
      tags: times.tags ?? ['nông nghiệp', 'chuyển đổi số'],
      demo: times.demo ?? false,
    })
    .returning('*');
  return row;
}

export interface WriterData {
  /** The person writing (null with byFederation). */
  author?: Ref | null;
  /** The association whose app wrote it (the author's); null with byFederation. */
  association?: Ref | null;
  byFederation?: boolean;
}

/** Writer columns: the federation when neither author nor association is given. */
function writer(d: WriterData) {
  const byFederation = d.byFederation ?? (!d.author && !d.association);
  return { author_id: byFederation ? null : idOf(d.author), association_id: byFederation ? null : idOf(d.association), by_federation: byFederation };
}

/** A thread of a forum (no posts: add its first with createPost). */
export async function createThread(em: EntityManager, forum: Ref, data: WriterData & { title?: string; section?: Ref | null; locked?: boolean; at?: Date } = {}): Promise<Row> {
  const knex = knexOf(em);
  const at = data.at ?? new Date();
  const [row] = await knex('forum_thread')
    .insert({
      forum_id: forum.id,
      title: data.title ?? 'Về mục tiêu số hóa hợp tác xã',
      section_id: idOf(data.section),
      ...writer(data),
      locked: data.locked ?? false,
      locked_at: data.locked ? at : null,
      created_at: at,
      last_activity_at: at,
    })
    .returning('*');
  await knex('forum').where('id', forum.id).increment('thread_count', 1);
  return row;
}

export interface PostData extends WriterData {
  body?: string;
  stance?: PostStance | null;
  section?: Ref | null;
  parent?: Ref | null;
  /** Hidden by ADMIN, with this reason. */
  hidden?: string | null;
  at?: Date;
}

/** Bumps the counters of a thread, its forum and a parent for `n` new posts written at `at`. */
async function bump(knex: Knex, thread: Ref, n: number, at: Date, parentId: number | null): Promise<void> {
  const [t] = await knex('forum_thread')
    .where('id', thread.id)
    .update({ post_count: knex.raw('post_count + ?', [n]), last_activity_at: knex.raw('greatest(last_activity_at, ?::timestamptz)', [at]) })
    .returning('forum_id');
  await knex('forum')
    .where('id', t.forum_id)
    .update({ post_count: knex.raw('post_count + ?', [n]), last_activity_at: knex.raw('greatest(coalesce(last_activity_at, ?::timestamptz), ?::timestamptz)', [at, at]) });
  if (parentId !== null) await knex('forum_post').where('id', parentId).increment('reply_count', n);
}

/** One post of a thread (a reply when `parent` is given). */
export async function createPost(em: EntityManager, thread: Ref, data: PostData = {}): Promise<Row> {
  const knex = knexOf(em);
  const [t] = await knex('forum_thread').select('forum_id', 'section_id').where('id', thread.id);
  const at = data.at ?? new Date();
  const [row] = await knex('forum_post')
    .insert({
      thread_id: thread.id,
      forum_id: t.forum_id,
      parent_id: idOf(data.parent),
      ...writer(data),
      body: data.body ?? 'Tôi đồng ý với dự thảo, đề nghị bổ sung kinh phí đào tạo cho nông dân.',
      stance: data.stance ?? null,
      section_id: data.section === undefined ? t.section_id : idOf(data.section),
      hidden_at: data.hidden ? at : null,
      hidden_reason: data.hidden ?? null,
      created_at: at,
      updated_at: at,
    })
    .returning('*');
  await bump(knex, thread, 1, at, idOf(data.parent));
  return row;
}

/**
 * `n` top-level posts of a thread in one multi-row insert (ids in order), bodies numbered
 * "Ý kiến số k", written a millisecond apart before now; then the counters. Returns their ids.
 */
export async function createPosts(em: EntityManager, thread: Ref, n: number, data: WriterData & { stance?: PostStance | null } = {}): Promise<number[]> {
  const knex = knexOf(em);
  const [t] = await knex('forum_thread').select('forum_id', 'section_id').where('id', thread.id);
  const w = writer(data);
  const rows = await knex.raw(
    `insert into forum_post (thread_id, forum_id, author_id, association_id, by_federation, body, stance, section_id, created_at, updated_at)
     select ?, ?, ?::int, ?::int, ?, 'Ý kiến số ' || k, ?::text, ?::int, now() - (? - k) * interval '1 millisecond', now() - (? - k) * interval '1 millisecond'
     from generate_series(1, ?::int) as k order by k returning id`,
    [thread.id, t.forum_id, w.author_id, w.association_id, w.by_federation, data.stance ?? null, t.section_id, n, n, n],
  );
  await bump(knex, thread, n, new Date(), null);
  return (rows.rows as { id: number }[]).map((r) => r.id).sort((a, b) => a - b);
}

/** A person's reaction to a post (replacing theirs), keeping the post's counts. */
export async function react(em: EntityManager, post: Ref, person: Ref, kind: ReactionKind, association: Ref | null = null): Promise<void> {
  const knex = knexOf(em);
  await knex('forum_reaction')
    .insert({ post_id: post.id, intellectual_id: person.id, association_id: idOf(association), kind })
    .onConflict(['post_id', 'intellectual_id'])
    .merge({ kind, updated_at: knex.fn.now() });
  await knex.raw(
    `update forum_post set support_count = (select count(*) from forum_reaction r where r.post_id = forum_post.id and r.kind = 'SUPPORT'),
       oppose_count = (select count(*) from forum_reaction r where r.post_id = forum_post.id and r.kind = 'OPPOSE') where id = ?`,
    [post.id],
  );
}

/** An edit of a post: its current body becomes a revision, `body` the new one (version + 1). */
export async function editPost(em: EntityManager, post: Ref, body: string, stance?: PostStance | null): Promise<Row> {
  const knex = knexOf(em);
  const [p] = await knex('forum_post').select('*').where('id', post.id);
  await knex('forum_post_revision').insert({ post_id: post.id, revision: p.version, body: p.body, stance: p.stance, written_at: p.edited_at ?? p.created_at });
  const [row] = await knex('forum_post')
    .where('id', post.id)
    .update({ body, stance: stance === undefined ? p.stance : stance, edited_at: knex.fn.now(), version: p.version + 1 })
    .returning('*');
  return row;
}

/** The synthesis of a forum: a summary and recommendations citing posts (in the order given). */
export async function createSynthesis(
  em: EntityManager,
  forum: Ref,
  data: { summary?: string; recommendations?: { text: string; section?: Ref | null; posts?: Ref[] }[] } = {},
): Promise<Row> {
  const knex = knexOf(em);
  const [s] = await knex('forum_synthesis')
    .insert({ forum_id: forum.id, summary: data.summary ?? 'Các hội viên đồng tình với định hướng, đề nghị bổ sung nguồn lực.', published_at: knex.fn.now() })
    .returning('*');
  const recs = data.recommendations ?? [{ text: 'Bổ sung kinh phí đào tạo kỹ năng số cho nông dân.' }];
  for (const [k, r] of recs.entries()) {
    const [rec] = await knex('forum_synthesis_recommendation').insert({ synthesis_id: s.id, number: k + 1, text: r.text, section_id: idOf(r.section) }).returning('id');
    for (const p of r.posts ?? []) await knex('forum_synthesis_citation').insert({ recommendation_id: rec.id, post_id: p.id });
  }
  return s;
}

/**
 * A forum graph for statement counts: `forums` PUBLIC OPEN forums of `federation`, each with 2
 * threads of 3 top-level posts, each post with 2 replies. Every thread, post and reply has an
 * author of its own (so that no level finds its people already loaded by another), a member of
 * one of `associations` in turn; every third has no public profile.
 */
export async function createForumGraph(em: EntityManager, federation: Ref, document: Ref, associations: Ref[], forums: number): Promise<Row[]> {
  let k = 0;
  const writer = async () => {
    const n = k++;
    const association = associations[n % associations.length];
    const person = em.create(Intellectual, { fullName: `Phạm Thị Thu Hà ${n}`, publicProfile: n % 3 !== 1 } as never);
    em.create(Membership, { intellectual: person, association, externalId: `HV-${n}` } as never);
    await em.flush();
    return { author: person as Ref, association };
  };
  const made: Row[] = [];
  for (let f = 0; f < forums; f++) {
    const forum = await createForum(em, federation, document, { title: `Diễn đàn góp ý số ${f + 1} về chuyển đổi số nông nghiệp` });
    made.push(forum);
    for (let t = 0; t < 2; t++) {
      const thread = await createThread(em, forum, { title: `Chủ đề ${t + 1}`, ...(await writer()) });
      for (let p = 0; p < 3; p++) {
        const post = await createPost(em, thread, { body: `Ý kiến ${p + 1} về Cần Thơ.`, stance: PostStance.AGREE, ...(await writer()) });
        for (let r = 0; r < 2; r++) await createPost(em, thread, { body: `Trả lời ${r + 1}.`, parent: post, ...(await writer()) });
      }
    }
  }
  return made;
}
