/**
 * A synthetic forum for `seed --synthetic --forum-posts P`: one OPEN, PUBLIC forum of the
 * SYNTHETIC federation on a synthetic draft (numbered sections), whose first thread holds P posts
 * (the bench's `forumThread` scenario pages through it) and 19 more threads of 10 posts each.
 * Authors are current members of the synthetic associations, posting through that association;
 * a fifth of the posts are replies to an earlier top-level post of their thread; stances and
 * sections vary; counters agree with the rows.
 *
 * Set-based like synthetic-consultation.ts: a few INSERT … SELECT over generate_series inside the
 * load's transaction, explicit ids in commit order (ids within a thread follow created_at, as the
 * writes make them), random choices hashed from (seed, purpose, row) by pg_temp.syn_r, which that
 * file creates (it runs first in the same session; created here too when it did not).
 * The forum opens 30 days before the load and closes 60 days after it, so it is OPEN for a while.
 */
import type { Client } from 'pg';

export interface SyntheticForumOptions {
  federationId: number;
  /** The synthetic associations: ids firstAssociationId … firstAssociationId + associations - 1. */
  firstAssociationId: number;
  associations: number;
  /** Posts of the big thread (0: no forum). */
  posts: number;
  seed: number;
  progress: (phase: string, done: number, total: number) => void;
}

export interface SyntheticForumResult {
  forumId: number | null;
  /** The big thread. */
  threadId: number | null;
  posts: number;
}

/** Threads besides the big one, and their posts each. */
const SMALL_THREADS = 19;
const SMALL_THREAD_POSTS = 10;

const SECTIONS = ['Mục tiêu', 'Hạ tầng và dữ liệu', 'Ứng dụng công nghệ trong sản xuất', 'Truy xuất nguồn gốc nông sản', 'Nhân lực số', 'Kinh phí thực hiện', 'Tổ chức thực hiện', 'Điều khoản thi hành'];
const BODIES = [
  'Đề nghị làm rõ căn cứ khoa học của các chỉ tiêu trong mục này.',
  'Thống nhất với nội dung dự thảo; đề nghị bổ sung lộ trình thực hiện theo từng năm.',
  'Nguồn lực tài chính chưa được tính toán đầy đủ, đề nghị rà soát lại khái toán kinh phí.',
  'Cần lấy thêm ý kiến của hợp tác xã và nông dân chịu ảnh hưởng trực tiếp.',
  'Dữ liệu của Sóc Trăng và Hậu Giang cũ cần được chuẩn hóa trước khi hợp nhất.',
  'Không đồng ý với mốc thời gian đề ra: quá gấp so với năng lực của cơ sở.',
  'Đề nghị ưu tiên vùng nuôi trồng thủy sản ven biển, nơi xâm nhập mặn diễn biến phức tạp.',
];

const arr = (values: readonly string[]) => `{${values.map((v) => `"${v.replace(/(["\\])/gu, '\\$1')}"`).join(',')}}`;

export async function seedSyntheticForum(client: Client, o: SyntheticForumOptions): Promise<SyntheticForumResult> {
  if (o.posts === 0) return { forumId: null, threadId: null, posts: 0 };
  const seed = Math.trunc(o.seed);
  const r = (salt: string, k: string) => `pg_temp.syn_r(${seed}, '${salt}', ${k})`;
  await client.query(`create or replace function pg_temp.syn_r(seed bigint, salt text, k bigint) returns float8 language sql immutable as
    $$ select ('x' || substr(md5(seed::text || ':' || salt || ':' || k::text), 1, 8))::bit(32)::bigint / 4294967296.0 $$`);
  o.progress('forum posts', 0, o.posts);

  // The authors: current members of the synthetic associations (at most 20,000 of them, numbered).
  await client.query(
    `create temporary table syn_forum_author on commit drop as
     select row_number() over (order by m.id) as k, m.intellectual_id, m.association_id
     from membership m
     where m.association_id between $1::int and $1::int + $2::int - 1 and m.status <> 'ENDED'
     order by m.id limit 20000`,
    [o.firstAssociationId, o.associations],
  );
  const { rows: counted } = await client.query<{ n: string }>(`select count(*) as n from syn_forum_author`);
  const authors = Number(counted[0]!.n);
  if (authors === 0) throw new Error('seedSyntheticForum: the synthetic associations have no current member');

  const { rows: doc } = await client.query<{ id: number }>(
    `insert into policy_document (title, link, version_label, issued_on, demo)
     values ('Dự thảo Kế hoạch chuyển đổi số trong nông nghiệp (dữ liệu tổng hợp)', 'https://example.org/synthetic/forum-draft', 'Dự thảo lần 1', current_date - 35, true)
     returning id`,
  );
  const documentId = doc[0]!.id;
  const { rows: secs } = await client.query<{ id: number }>(
    `insert into policy_document_section (document_id, number, heading, text, position)
     select $1::int, k::text, h, 'Nội dung mục ' || k || ': ' || h || ' (dữ liệu tổng hợp).', k
     from unnest($2::text[]) with ordinality as s(h, k)
     returning id`,
    [documentId, arr(SECTIONS)],
  );
  const firstSection = Math.min(...secs.map((s) => s.id));

  const { rows: forum } = await client.query<{ id: number }>(
    `insert into forum (federation_id, title, description, document_id, opens_at, closes_at, visibility, tags, demo, created_at, updated_at)
     values ($1::int, 'Diễn đàn góp ý dự thảo Kế hoạch chuyển đổi số trong nông nghiệp (dữ liệu tổng hợp)',
       'Diễn đàn tổng hợp để đo tải: một chủ đề rất dài và các chủ đề ngắn.', $2::int, now() - interval '30 days', now() + interval '60 days',
       'PUBLIC', '{"chuyển đổi số","nông nghiệp","dữ liệu tổng hợp"}', true, now() - interval '31 days', now() - interval '31 days')
     returning id`,
    [o.federationId, documentId],
  );
  const forumId = forum[0]!.id;

  // Threads: t = 1 is the big one; each thread's author opens it with its first post.
  const firstThread = await nextId(client, 'forum_thread');
  const threads = 1 + SMALL_THREADS;
  await client.query(
    `insert into forum_thread (id, forum_id, title, section_id, author_id, association_id, demo, created_at, updated_at, last_activity_at)
     select $1::int + t - 1, $2::int,
       case when t = 1 then 'Thảo luận chung về dự thảo (chủ đề dài)' else 'Chủ đề góp ý số ' || t end,
       case when t = 1 then null else $3::int + floor(${r('tsec', 't')} * ${SECTIONS.length})::int end,
       a.intellectual_id, a.association_id, true, now() - interval '30 days', now() - interval '30 days', now() - interval '30 days'
     from generate_series(1, $4::int) t
       join syn_forum_author a on a.k = 1 + floor(${r('tauthor', 't')} * ${authors})::int`,
    [firstThread, forumId, firstSection, threads],
  );
  await fixSequence(client, 'forum_thread');

  // Posts: thread t's posts g = 1…n in order (ids and times increase together). The first post of a
  // thread is its author's; a fifth of the others reply to the latest top-level post before them.
  const firstPost = await nextId(client, 'forum_post');
  await client.query(
    `create temporary table syn_forum_post on commit drop as
     select n, t, g, h, is_reply,
       max(case when not is_reply then g end) over (partition by t order by g rows between unbounded preceding and 1 preceding) as parent_g
     from (
       select row_number() over (order by t, g) as n, t, g, h, g > 1 and ${r('reply', 'h')} < 0.2 as is_reply
       from (
         select t, g, t * 100000000::bigint + g as h
         from generate_series(1, $1::int) t
           cross join lateral generate_series(1, case when t = 1 then $2::int else ${SMALL_THREAD_POSTS} end) g
       ) x
     ) y`,
    [threads, o.posts],
  );
  await client.query(
    `insert into forum_post (id, thread_id, forum_id, parent_id, author_id, association_id, body, stance, section_id, demo, created_at, updated_at)
     select $1::int + p.n - 1, $2::int + p.t - 1, $3::int,
       case when p.is_reply then $1::int + p.n - 1 - (p.g - p.parent_g) end,
       case when p.g = 1 then th.author_id else a.intellectual_id end,
       case when p.g = 1 then th.association_id else a.association_id end,
       ($4::text[])[1 + floor(${r('body', 'p.h')} * ${BODIES.length})::int] || ' (ý kiến số ' || p.g || ')',
       case when ${r('stance', 'p.h')} < 0.3 then 'AGREE' when ${r('stance', 'p.h')} < 0.6 then 'AGREE_WITH_CHANGES' when ${r('stance', 'p.h')} < 0.75 then 'DISAGREE' end,
       coalesce(th.section_id, case when ${r('psec', 'p.h')} < 0.5 then $5::int + floor(${r('psec2', 'p.h')} * ${SECTIONS.length})::int end),
       true,
       now() - interval '30 days' + (p.g * interval '1 second') * (case when p.t = 1 then 2592000.0 / ($6::int + 1) else 86400 end),
       now() - interval '30 days' + (p.g * interval '1 second') * (case when p.t = 1 then 2592000.0 / ($6::int + 1) else 86400 end)
     from syn_forum_post p
       join forum_thread th on th.id = $2::int + p.t - 1
       join syn_forum_author a on a.k = 1 + floor(${r('author', 'p.h')} * ${authors})::int
     order by p.n`,
    [firstPost, firstThread, forumId, arr(BODIES), firstSection, o.posts],
  );
  await fixSequence(client, 'forum_post');

  // Counters, from the rows.
  await client.query(
    `update forum_post p set reply_count = c.n from (select parent_id, count(*) as n from forum_post where forum_id = $1::int and parent_id is not null group by parent_id) c where c.parent_id = p.id`,
    [forumId],
  );
  await client.query(
    `update forum_thread t set post_count = x.n, last_activity_at = x.last
     from (select thread_id, count(*) as n, max(created_at) as last from forum_post where forum_id = $1::int group by thread_id) x where x.thread_id = t.id`,
    [forumId],
  );
  await client.query(
    `update forum f set thread_count = $2::int, post_count = (select count(*) from forum_post where forum_id = f.id),
       last_activity_at = (select max(created_at) from forum_post where forum_id = f.id)
     where f.id = $1::int`,
    [forumId, threads],
  );
  await client.query('analyze forum_thread, forum_post');
  const total = o.posts + SMALL_THREADS * SMALL_THREAD_POSTS;
  o.progress('forum posts', o.posts, o.posts);
  return { forumId, threadId: firstThread, posts: total };
}

async function nextId(client: Client, table: string): Promise<number> {
  const { rows } = await client.query<{ next: string }>(`select coalesce(max(id), 0) + 1 as next from ${client.escapeIdentifier(table)}`);
  return Number(rows[0]!.next);
}

async function fixSequence(client: Client, table: string): Promise<void> {
  await client.query(`select setval(pg_get_serial_sequence($1, 'id'), (select max(id) from ${client.escapeIdentifier(table)}))`, [table]);
}
