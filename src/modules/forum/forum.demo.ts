/**
 * Demo data of the forum module: two forums of the Cần Thơ union on an invented draft plan for
 * digital transformation in agriculture (Dự thảo Kế hoạch chuyển đổi số trong nông nghiệp thành
 * phố Cần Thơ giai đoạn 2026–2030): a CLOSED one on the first draft, with the federation's
 * published synthesis citing its posts, and an OPEN one on the second draft. Threads, posts and
 * replies in Vietnamese by current members of demo associations, reactions, one post hidden by
 * ADMIN (with its reason, its reply kept), one edited post (with its earlier body), one thread the
 * federation opened and locked. All invented (demo = true where the table has the column).
 *
 * The forums' times are relative to the moment of seeding, so the OPEN forum is open and the
 * CLOSED one closed whenever the demo is loaded; everything else is deterministic (people taken in
 * membership order). Counters (post, thread, reply and reaction counts, last activity) are
 * computed from the rows at the end, so they agree with them.
 *
 * Runs after the consultation module's seed, in the same transaction, through plain SQL.
 */
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { pgArray, runQuery } from '../../common/sql';
import { ForumVisibility, PostStance, ReactionKind } from './forum.enums';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** A person: [association code, index among its ACTIVE members in membership order]; 'FED': ADMIN as the federation. */
type Who = readonly [string, number] | 'FED';

interface DemoPost {
  /** A name for replies and citations. */
  key?: string;
  by: Who;
  body: string;
  stance?: PostStance;
  /** A section number (else the thread's). */
  section?: string;
  /** The key of the post it replies to (same thread). */
  replyTo?: string;
  /** Days and hours after the forum opened. */
  at: [number, number];
  /** ADMIN hid it, with this reason. */
  hidden?: string;
  /** It was edited: its first body (kept as revision 1), edited an hour after writing. */
  firstBody?: string;
  reactions?: [Who, ReactionKind][];
}

interface DemoThread {
  title: string;
  section?: string;
  locked?: boolean;
  /** The first is the thread's opening post (its author opens the thread). */
  posts: DemoPost[];
}

interface DemoForum {
  title: string;
  description: string;
  tags: string[];
  visibility: ForumVisibility;
  /** Relative to now, in days (negative: past). */
  opens: number;
  closes: number;
  document: { title: string; versionLabel: string; issuedDaysAgo: number; sections: { number: string; heading: string; text: string }[] };
  threads: DemoThread[];
  synthesis?: { summary: string; publishedDaysAgo: number; recommendations: { text: string; section?: string; cites: string[] }[] };
}

const S = PostStance;
const R = ReactionKind;

const PLAN = 'Kế hoạch chuyển đổi số trong nông nghiệp thành phố Cần Thơ giai đoạn 2026–2030';

const SECTIONS_V1 = [
  { number: '1', heading: 'Mục tiêu', text: 'Đến năm 2030, 70% hợp tác xã nông nghiệp ứng dụng công nghệ số trong sản xuất, quản lý và tiêu thụ; 50% vùng trồng lúa chất lượng cao có mã số vùng trồng số hóa.' },
  { number: '2', heading: 'Hạ tầng và dữ liệu', text: 'Xây dựng cơ sở dữ liệu nông nghiệp dùng chung của thành phố: đất trồng, mùa vụ, mã số vùng trồng, cơ sở nuôi trồng thủy sản.' },
  { number: '3', heading: 'Ứng dụng công nghệ trong sản xuất', text: 'Nhân rộng cảm biến quan trắc mặn, nhật ký canh tác điện tử, máy bay không người lái phun thuốc bảo vệ thực vật.' },
  { number: '4', heading: 'Nhân lực số', text: 'Tập huấn kỹ năng số cho cán bộ khuyến nông, thành viên hợp tác xã và nông dân.' },
  { number: '5', heading: 'Kinh phí thực hiện', text: 'Ngân sách thành phố, lồng ghép các chương trình mục tiêu quốc gia và huy động xã hội hóa.' },
];

const SECTIONS_V2 = [
  { number: '1', heading: 'Mục tiêu', text: 'Đến năm 2030, 60% hợp tác xã nông nghiệp ứng dụng công nghệ số; lộ trình theo từng năm, ưu tiên vùng lúa chất lượng cao, phát thải thấp.' },
  { number: '2', heading: 'Hạ tầng và dữ liệu', text: 'Cơ sở dữ liệu nông nghiệp dùng chung và các dịch vụ dữ liệu mở cho người dân, doanh nghiệp.' },
  { number: '2.1', heading: 'Cơ sở dữ liệu nông nghiệp dùng chung', text: 'Hợp nhất dữ liệu đất trồng, mùa vụ và mã số vùng trồng của Cần Thơ, Sóc Trăng và Hậu Giang cũ trên một nền tảng; cập nhật hằng vụ.' },
  { number: '2.2', heading: 'Truy xuất nguồn gốc nông sản', text: 'Đến năm 2028, 100% sản phẩm OCOP và nông sản xuất khẩu chủ lực có mã truy xuất nguồn gốc điện tử.' },
  { number: '3', heading: 'Ứng dụng công nghệ trong sản xuất', text: 'Mạng lưới cảm biến quan trắc mặn và chất lượng nước vùng ven biển; nhật ký canh tác điện tử.' },
  { number: '4', heading: 'Nhân lực số', text: 'Mỗi hợp tác xã có ít nhất một thành viên được đào tạo kỹ năng số; tổ công nghệ số cộng đồng ở cấp xã.' },
  { number: '5', heading: 'Kinh phí và tổ chức thực hiện', text: 'Sở Nông nghiệp và Môi trường chủ trì; kinh phí từ ngân sách thành phố và xã hội hóa.' },
];

export const DEMO_FORUMS: DemoForum[] = [
  {
    title: `Góp ý Dự thảo ${PLAN} (dự thảo lần 1)`,
    description:
      'Diễn đàn lấy ý kiến đội ngũ trí thức của các hội thành viên về dự thảo lần 1 của Kế hoạch. ' +
      'Ý kiến đã được Liên hiệp hội tổng hợp thành kiến nghị gửi cơ quan soạn thảo (xem phần tổng hợp).',
    tags: ['nông nghiệp', 'chuyển đổi số', 'cần thơ'],
    visibility: ForumVisibility.PUBLIC,
    opens: -60,
    closes: -20,
    document: { title: `Dự thảo ${PLAN}`, versionLabel: 'Dự thảo lần 1', issuedDaysAgo: 65, sections: SECTIONS_V1 },
    threads: [
      {
        title: 'Mục tiêu 70% hợp tác xã ứng dụng công nghệ số đến năm 2030 có khả thi?',
        section: '1',
        posts: [
          {
            key: 'c-goal',
            by: ['ST-NONGNGHIEP', 0],
            stance: S.AGREE_WITH_CHANGES,
            at: [2, 9],
            body:
              'Mục tiêu 70% là cao so với thực tế: phần lớn hợp tác xã ở khu vực Sóc Trăng cũ chưa có máy tính dùng chung, nhiều ban giám đốc đã lớn tuổi.\n\n' +
              'Đề nghị đặt mục tiêu theo từng năm và tách riêng hợp tác xã lúa gạo với hợp tác xã thủy sản.',
            reactions: [
              [['ST-LAMVUON', 0], R.SUPPORT],
              [['ST-THUYSAN', 1], R.SUPPORT],
              [['CT-TINHOC', 1], R.OPPOSE],
            ],
          },
          {
            key: 'c-goal-r1',
            by: ['CT-TINHOC', 0],
            replyTo: 'c-goal',
            stance: S.AGREE,
            at: [3, 14],
            body: 'Tôi vẫn ủng hộ mức 70% nếu “ứng dụng công nghệ số” được hiểu rộng: sổ sách điện tử, bán hàng trên sàn thương mại điện tử cũng được tính.',
          },
          {
            key: 'c-goal-r2',
            by: ['ST-NONGNGHIEP', 0],
            replyTo: 'c-goal-r1',
            at: [4, 8],
            body: 'Nếu vậy thì dự thảo cần định nghĩa rõ tiêu chí “ứng dụng công nghệ số”, nếu không số liệu báo cáo sẽ không so sánh được giữa các năm.',
          },
          {
            key: 'c-goal-2',
            by: ['ST-THUYSAN', 0],
            stance: S.DISAGREE,
            at: [6, 10],
            body: 'Không đồng ý gộp chung chỉ tiêu: hợp tác xã nuôi tôm cần cảm biến và dữ liệu môi trường nước trước, phần mềm quản lý chỉ là bước sau.',
            reactions: [[['ST-THUYSAN', 2], R.SUPPORT]],
          },
        ],
      },
      {
        title: 'Kinh phí thực hiện và cơ chế xã hội hóa',
        section: '5',
        posts: [
          {
            key: 'c-fund',
            by: ['ST-KINHTE', 0],
            stance: S.AGREE_WITH_CHANGES,
            at: [10, 15],
            body:
              'Dự thảo chưa có khái toán kinh phí. Đề nghị bổ sung bảng kinh phí theo nhiệm vụ và nêu rõ phần nào ngân sách thành phố bảo đảm, phần nào kêu gọi doanh nghiệp.',
            reactions: [
              [['ST-KINHTE', 1], R.SUPPORT],
              [['ST-NONGNGHIEP', 1], R.SUPPORT],
            ],
          },
          {
            key: 'c-fund-r1',
            by: ['ST-LAMVUON', 0],
            replyTo: 'c-fund',
            stance: S.AGREE_WITH_CHANGES,
            at: [12, 9],
            body: 'Đồng ý. Nên ưu tiên hỗ trợ thiết bị cho hợp tác xã theo hình thức đối ứng 50/50 để tránh đầu tư rồi bỏ không.',
          },
          {
            key: 'c-fund-2',
            by: ['ST-MOITRUONG', 0],
            section: '3',
            stance: S.AGREE,
            at: [20, 16],
            body: 'Mạng lưới cảm biến quan trắc mặn nên được bố trí kinh phí riêng, vì dữ liệu này phục vụ cả phòng chống thiên tai, không chỉ sản xuất.',
          },
        ],
      },
      {
        title: 'Tập huấn kỹ năng số cho nông dân',
        section: '4',
        posts: [
          {
            key: 'c-skill',
            by: ['CT-TINHOC', 1],
            stance: S.AGREE,
            at: [15, 19],
            body: 'Hội Tin học có thể phối hợp tổ chức các lớp tập huấn ngắn ngày tại xã, dùng điện thoại thông minh của chính người học thay vì phòng máy.',
            reactions: [[['ST-LAMVUON', 1], R.SUPPORT]],
          },
        ],
      },
    ],
    synthesis: {
      publishedDaysAgo: 14,
      summary:
        'Các hội thành viên cơ bản thống nhất với sự cần thiết của Kế hoạch. Ý kiến tập trung vào ba vấn đề: mục tiêu 70% hợp tác xã ứng dụng công nghệ số là cao và chưa có tiêu chí đo lường; ' +
        'dự thảo chưa có khái toán kinh phí và cơ chế đối ứng; cần ưu tiên hạ tầng quan trắc môi trường nước cho vùng nuôi trồng thủy sản ven biển.',
      recommendations: [
        { text: 'Định nghĩa tiêu chí “hợp tác xã ứng dụng công nghệ số” và xây dựng lộ trình mục tiêu theo từng năm, tách riêng lúa gạo và thủy sản.', section: '1', cites: ['c-goal', 'c-goal-r2', 'c-goal-2'] },
        { text: 'Bổ sung khái toán kinh phí theo nhiệm vụ; áp dụng cơ chế đối ứng 50/50 khi hỗ trợ thiết bị cho hợp tác xã.', section: '5', cites: ['c-fund', 'c-fund-r1'] },
        { text: 'Bố trí kinh phí riêng cho mạng lưới cảm biến quan trắc mặn, dùng chung cho sản xuất và phòng chống thiên tai.', section: '3', cites: ['c-fund-2'] },
      ],
    },
  },
  {
    title: `Góp ý Dự thảo ${PLAN} (dự thảo lần 2)`,
    description:
      'Dự thảo lần 2 đã tiếp thu kiến nghị của diễn đàn trước (lộ trình theo năm, khái toán kinh phí). Mời trí thức các hội thành viên tiếp tục góp ý, ' +
      'nhất là phần cơ sở dữ liệu nông nghiệp dùng chung (mục 2.1) và truy xuất nguồn gốc nông sản (mục 2.2).',
    tags: ['nông nghiệp', 'chuyển đổi số', 'cần thơ', 'dữ liệu'],
    visibility: ForumVisibility.PUBLIC,
    opens: -12,
    closes: 18,
    document: { title: `Dự thảo ${PLAN}`, versionLabel: 'Dự thảo lần 2', issuedDaysAgo: 13, sections: SECTIONS_V2 },
    threads: [
      {
        title: 'Hướng dẫn góp ý: nêu rõ mục của dự thảo',
        locked: true,
        posts: [
          {
            by: 'FED',
            at: [0, 8],
            body:
              'Liên hiệp hội đề nghị mỗi ý kiến nêu rõ **mục** của dự thảo được góp ý (ví dụ: mục 2.1) và thể hiện quan điểm: đồng ý, đồng ý có sửa đổi hoặc không đồng ý.\n\n' +
              'Diễn đàn mở đến hết ngày đóng; ý kiến sẽ được tổng hợp gửi Sở Nông nghiệp và Môi trường.',
          },
        ],
      },
      {
        title: 'Cơ sở dữ liệu nông nghiệp dùng chung: ai cập nhật, cập nhật thế nào?',
        section: '2.1',
        posts: [
          {
            key: 'o-data',
            by: ['CT-TINHOC', 0],
            stance: S.AGREE_WITH_CHANGES,
            at: [1, 10],
            firstBody: 'Đồng ý hợp nhất dữ liệu, nhưng cần nói rõ ai cập nhật.',
            body:
              'Đồng ý hợp nhất dữ liệu của ba địa phương cũ, nhưng dự thảo cần nói rõ **ai cập nhật** và **bao lâu một lần**: ' +
              'đề nghị giao cán bộ khuyến nông cấp xã cập nhật mùa vụ trên ứng dụng di động, dữ liệu đất đai lấy từ hệ thống của ngành tài nguyên.',
            reactions: [
              [['ST-NONGNGHIEP', 1], R.SUPPORT],
              [['ST-TINHOC', 0], R.SUPPORT],
              [['ST-LAMVUON', 2], R.SUPPORT],
            ],
          },
          {
            key: 'o-data-r1',
            by: ['ST-NONGNGHIEP', 2],
            replyTo: 'o-data',
            stance: S.AGREE,
            at: [2, 15],
            body: 'Bổ sung: dữ liệu mã số vùng trồng hiện do Chi cục Trồng trọt quản lý bằng bảng tính, cần kế hoạch chuyển đổi trước khi hợp nhất.',
          },
          {
            key: 'o-data-2',
            by: ['ST-TINHOC', 1],
            stance: S.AGREE_WITH_CHANGES,
            at: [4, 20],
            body: 'Đề nghị công bố một phần dữ liệu dưới dạng dữ liệu mở (theo định dạng chuẩn) để doanh nghiệp, nhà khoa học khai thác, có quy định bảo vệ dữ liệu cá nhân của nông hộ.',
            reactions: [[['CT-TINHOC', 2], R.SUPPORT]],
          },
        ],
      },
      {
        title: 'Truy xuất nguồn gốc nông sản: lộ trình đến năm 2028 có kịp?',
        section: '2.2',
        posts: [
          {
            key: 'o-trace',
            by: ['ST-LAMVUON', 0],
            stance: S.DISAGREE,
            at: [3, 7],
            body:
              'Mốc 100% sản phẩm OCOP có mã truy xuất vào năm 2028 là không thực tế với các cơ sở nhỏ. ' +
              'Đề nghị lùi mốc hoặc hỗ trợ miễn phí tem truy xuất trong ba năm đầu.',
            reactions: [
              [['ST-LAMVUON', 1], R.SUPPORT],
              [['ST-KINHTE', 0], R.SUPPORT],
              [['CT-TINHOC', 0], R.OPPOSE],
            ],
          },
          {
            key: 'o-trace-ad',
            by: ['ST-KINHTE', 2],
            replyTo: 'o-trace',
            stance: S.AGREE,
            at: [3, 21],
            hidden: 'Quảng cáo dịch vụ thương mại, không góp ý cho dự thảo.',
            body: 'Công ty chúng tôi cung cấp tem truy xuất giá rẻ, liên hệ số điện thoại trên trang web để được báo giá.',
          },
          {
            key: 'o-trace-r2',
            by: ['ST-KINHTE', 0],
            replyTo: 'o-trace-ad',
            at: [4, 9],
            body: 'Đề nghị ban điều hành diễn đàn xem xét nội dung này, không phù hợp với mục đích góp ý.',
          },
          {
            key: 'o-trace-2',
            by: ['ST-THUYSAN', 0],
            stance: S.AGREE_WITH_CHANGES,
            at: [6, 11],
            body: 'Với tôm xuất khẩu, truy xuất nguồn gốc là yêu cầu bắt buộc của thị trường; nên ưu tiên nhóm này trước, OCOP làm sau.',
          },
        ],
      },
      {
        title: 'Tổ công nghệ số cộng đồng ở xã: cần kinh phí duy trì',
        section: '4',
        posts: [
          {
            key: 'o-team',
            by: ['ST-MOITRUONG', 1],
            stance: S.AGREE_WITH_CHANGES,
            at: [8, 14],
            body: 'Tổ công nghệ số cộng đồng hoạt động hiệu quả ở nhiều xã, nhưng thành viên không có phụ cấp. Đề nghị bố trí một khoản hỗ trợ nhỏ hằng tháng.',
          },
          {
            key: 'o-team-r1',
            by: ['CT-TINHOC', 1],
            replyTo: 'o-team',
            at: [9, 10],
            body: 'Có thể lồng ghép với chương trình xây dựng nông thôn mới nâng cao để có nguồn kinh phí ổn định.',
          },
        ],
      },
    ],
  },
];

async function rows<T = Record<string, unknown>>(em: EntityManager, q: Knex.QueryBuilder | Knex.Raw): Promise<T[]> {
  return runQuery<T>(em, q);
}

export async function seedForumDemo(em: EntityManager, now = new Date()): Promise<{ forums: number; threads: number; posts: number }> {
  const knex = em.getKnex();
  const [fed] = await rows<{ id: number }>(em, knex('federation').select('id').where({ code: 'CANTHO' }));
  if (!fed) throw new Error('forum demo: no CANTHO federation (the intellectual module seeds it first)');
  const associations = new Map((await rows<{ id: number; code: string }>(em, knex('association').select('id', 'code'))).map((r) => [r.code, r.id]));
  const members = new Map<string, number[]>();
  /** The person and the association of a demo author. */
  const person = async (who: readonly [string, number]): Promise<{ personId: number; associationId: number }> => {
    const [code, index] = who;
    const associationId = associations.get(code);
    if (associationId === undefined) throw new Error(`forum demo: no association ${code}`);
    if (!members.has(code)) {
      const list = await rows<{ intellectual_id: number }>(em, knex('membership').select('intellectual_id').where({ association_id: associationId, status: 'ACTIVE' }).orderBy('id'));
      members.set(code, list.map((r) => r.intellectual_id));
    }
    const personId = members.get(code)![index];
    if (personId === undefined) throw new Error(`forum demo: ${code} has no active member number ${index + 1}`);
    return { personId, associationId };
  };
  const author = async (who: Who) =>
    who === 'FED' ? { author_id: null, association_id: null, by_federation: true } : await person(who).then((p) => ({ author_id: p.personId, association_id: p.associationId, by_federation: false }));
  const at = (ms: number) => new Date(ms).toISOString();

  const forumIds: number[] = [];
  let threads = 0;
  let posts = 0;
  for (const [n, f] of DEMO_FORUMS.entries()) {
    const opensAt = now.getTime() + f.opens * DAY;
    const [doc] = await rows<{ id: number }>(
      em,
      knex('policy_document')
        .insert({
          title: f.document.title,
          link: `https://example.org/can-tho/du-thao/chuyen-doi-so-nong-nghiep-${n + 1}`,
          version_label: f.document.versionLabel,
          issued_on: new Date(now.getTime() - f.document.issuedDaysAgo * DAY).toISOString().slice(0, 10),
          demo: true,
        })
        .returning('id'),
    );
    const sections = new Map(
      (
        await rows<{ id: number; number: string }>(
          em,
          knex('policy_document_section')
            .insert(f.document.sections.map((s, k) => ({ document_id: doc!.id, number: s.number, heading: s.heading, text: s.text, position: k + 1 })))
            .returning(['id', 'number']),
        )
      ).map((s) => [s.number, s.id]),
    );
    const section = (number: string | undefined) => {
      if (number === undefined) return null;
      const id = sections.get(number);
      if (id === undefined) throw new Error(`forum demo: no section ${number}`);
      return id;
    };
    const [forum] = await rows<{ id: number }>(
      em,
      knex('forum')
        .insert({
          federation_id: fed.id,
          title: f.title,
          description: f.description,
          document_id: doc!.id,
          opens_at: at(opensAt),
          closes_at: at(now.getTime() + f.closes * DAY),
          visibility: f.visibility,
          tags: pgArray(f.tags),
          demo: true,
          created_at: at(opensAt - 3 * DAY),
          updated_at: at(opensAt - 3 * DAY),
        })
        .returning('id'),
    );
    const forumId = forum!.id;
    forumIds.push(forumId);

    const postIds = new Map<string, number>();
    for (const t of f.threads) {
      const first = t.posts[0]!;
      const openedAt = at(opensAt + first.at[0] * DAY + first.at[1] * HOUR);
      const [thread] = await rows<{ id: number }>(
        em,
        knex('forum_thread')
          .insert({
            forum_id: forumId,
            title: t.title,
            section_id: section(t.section),
            ...(await author(first.by)),
            locked: t.locked ?? false,
            locked_at: t.locked ? at(opensAt + (first.at[0] + 1) * DAY) : null,
            version: t.locked ? 2 : 1,
            demo: true,
            created_at: openedAt,
            updated_at: openedAt,
            last_activity_at: openedAt,
          })
          .returning('id'),
      );
      threads++;
      // In the order given (chronological within the thread), so ids follow commit order as the writes make them.
      for (const p of t.posts) {
        const written = opensAt + p.at[0] * DAY + p.at[1] * HOUR;
        if (written >= Math.min(now.getTime(), now.getTime() + f.closes * DAY)) throw new Error(`forum demo: a post of "${t.title}" is not within the forum's open time`);
        const parent = p.replyTo === undefined ? null : postIds.get(p.replyTo);
        if (parent === undefined) throw new Error(`forum demo: ${p.replyTo} is not an earlier post of "${t.title}"`);
        const edited = p.firstBody !== undefined ? at(written + HOUR) : null;
        const [post] = await rows<{ id: number }>(
          em,
          knex('forum_post')
            .insert({
              thread_id: thread!.id,
              forum_id: forumId,
              parent_id: parent,
              ...(await author(p.by)),
              body: p.body,
              stance: p.stance ?? null,
              section_id: section(p.section ?? t.section),
              edited_at: edited,
              hidden_at: p.hidden ? at(written + 2 * HOUR) : null,
              hidden_reason: p.hidden ?? null,
              version: p.firstBody !== undefined ? 2 : 1,
              demo: true,
              created_at: at(written),
              updated_at: edited ?? at(written),
            })
            .returning('id'),
        );
        posts++;
        if (p.key) postIds.set(p.key, post!.id);
        if (p.firstBody !== undefined) {
          await rows(em, knex('forum_post_revision').insert({ post_id: post!.id, revision: 1, body: p.firstBody, stance: p.stance ?? null, written_at: at(written) }));
        }
        for (const [who, kind] of p.reactions ?? []) {
          const r = await author(who);
          await rows(
            em,
            knex('forum_reaction').insert({ post_id: post!.id, intellectual_id: r.author_id, association_id: r.association_id, kind, created_at: at(written + 3 * HOUR), updated_at: at(written + 3 * HOUR) }),
          );
        }
      }
    }

    if (f.synthesis) {
      const published = at(now.getTime() - f.synthesis.publishedDaysAgo * DAY);
      const [synthesis] = await rows<{ id: number }>(em, knex('forum_synthesis').insert({ forum_id: forumId, summary: f.synthesis.summary, published_at: published, version: 1 }).returning('id'));
      for (const [k, r] of f.synthesis.recommendations.entries()) {
        const [rec] = await rows<{ id: number }>(
          em,
          knex('forum_synthesis_recommendation').insert({ synthesis_id: synthesis!.id, number: k + 1, text: r.text, section_id: section(r.section) }).returning('id'),
        );
        await rows(
          em,
          knex('forum_synthesis_citation').insert(
            r.cites.map((key) => {
              const post = postIds.get(key);
              if (post === undefined) throw new Error(`forum demo: the synthesis cites an unknown post ${key}`);
              return { recommendation_id: rec!.id, post_id: post };
            }),
          ),
        );
      }
    }
  }

  // Counters, from the rows: what the writes keep up to date one post at a time.
  const ids = pgArray(forumIds);
  await rows(
    em,
    knex.raw(
      `update forum_post p set
         reply_count = (select count(*) from forum_post c where c.parent_id = p.id),
         support_count = (select count(*) from forum_reaction r where r.post_id = p.id and r.kind = 'SUPPORT'),
         oppose_count = (select count(*) from forum_reaction r where r.post_id = p.id and r.kind = 'OPPOSE')
       where p.forum_id = any(?::int[])`,
      [ids],
    ),
  );
  await rows(
    em,
    knex.raw(
      `update forum_thread t set post_count = x.n, last_activity_at = x.last
       from (select thread_id, count(*) as n, max(created_at) as last from forum_post where forum_id = any(?::int[]) group by thread_id) x
       where x.thread_id = t.id`,
      [ids],
    ),
  );
  await rows(
    em,
    knex.raw(
      `update forum f set
         thread_count = (select count(*) from forum_thread t where t.forum_id = f.id),
         post_count = (select count(*) from forum_post p where p.forum_id = f.id),
         last_activity_at = (select max(p.created_at) from forum_post p where p.forum_id = f.id)
       where f.id = any(?::int[])`,
      [ids],
    ),
  );
  return { forums: forumIds.length, threads, posts };
}
