/**
 * Synthetic consultation requests for `seed --synthetic`: requests of the SYNTHETIC federation
 * spread over the years 2015–2025, kinds, origins, agencies and every status of the lifecycle,
 * with their documents (numbered sections), history, assignments, panels (3–7 people from the
 * lead association's current members, one chair, one secretary), reports, recommendations and the
 * agencies' answers, and opinions (an association's own, or a panel member's submitted by the lead
 * association).
 *
 * Set-based: every table is one INSERT … SELECT over generate_series inside the load's
 * transaction, so 10,000 requests and 200,000 opinions take seconds. Every random choice is a
 * hash of (seed, purpose, row): `pg_temp.syn_r`, a number in [0, 1) from md5, so one seed gives one
 * data set on any PostgreSQL. Each row follows the rules the mutations enforce (one lead, one
 * chair, one opinion per association and per panel member, a report before REPORT_SUBMITTED…).
 */
import type { Client } from 'pg';
import { FIELDS } from '../../modules/field/field.data';

export interface SyntheticConsultationOptions {
  federationId: number;
  /** The synthetic associations: ids firstAssociationId … firstAssociationId + associations - 1. */
  firstAssociationId: number;
  associations: number;
  requests: number;
  opinions: number;
  seed: number;
  progress: (phase: string, done: number, total: number) => void;
}

export interface SyntheticConsultationResult {
  requests: number;
  opinions: number;
}

/** Provinces named as before the 2025 reorganisation (agencies of the requests). */
const LOCALITIES = [
  'tỉnh Sóc Trăng', 'thành phố Cần Thơ', 'tỉnh An Giang', 'tỉnh Bến Tre', 'tỉnh Tiền Giang', 'tỉnh Vĩnh Long', 'tỉnh Kiên Giang',
  'tỉnh Cà Mau', 'tỉnh Bạc Liêu', 'tỉnh Hậu Giang', 'tỉnh Trà Vinh', 'tỉnh Đồng Tháp', 'tỉnh Long An', 'thành phố Hà Nội', 'Thành phố Hồ Chí Minh',
];
const TOPICS = [
  'phát triển khoa học và công nghệ', 'chuyển đổi số', 'bảo vệ môi trường', 'nuôi trồng thủy sản bền vững', 'quy hoạch đô thị',
  'y tế cơ sở', 'giáo dục nghề nghiệp', 'ứng phó với biến đổi khí hậu', 'nông nghiệp công nghệ cao', 'giao thông nông thôn',
  'xử lý chất thải rắn sinh hoạt', 'cấp nước sạch nông thôn', 'du lịch sinh thái', 'bảo tồn văn hóa dân tộc Khmer', 'năng lượng tái tạo',
  'chống xâm nhập mặn', 'phát triển doanh nghiệp khoa học và công nghệ', 'chăm sóc sức khỏe người cao tuổi',
];
const SECTION_HEADINGS = ['Phạm vi điều chỉnh', 'Đối tượng áp dụng', 'Giải thích từ ngữ', 'Mục tiêu', 'Nhiệm vụ và giải pháp', 'Kinh phí thực hiện', 'Tổ chức thực hiện', 'Điều khoản thi hành'];
const OPINION_TEXTS = [
  'Đề nghị làm rõ căn cứ khoa học của các chỉ tiêu đề ra.',
  'Cần bổ sung đánh giá tác động đến môi trường và sinh kế của người dân.',
  'Thống nhất với nội dung dự thảo; đề nghị bổ sung lộ trình thực hiện cụ thể.',
  'Nguồn lực tài chính chưa được tính toán đầy đủ, đề nghị rà soát lại.',
  'Đề nghị lấy thêm ý kiến của cộng đồng dân cư chịu ảnh hưởng trực tiếp.',
  'Một số quy định chưa phù hợp với Luật hiện hành, cần điều chỉnh.',
];
const RECOMMENDATIONS = [
  'Bổ sung cơ chế giám sát, đánh giá định kỳ.',
  'Điều chỉnh mục tiêu cho phù hợp với nguồn lực của địa phương.',
  'Tăng cường sự tham gia của đội ngũ trí thức khoa học và công nghệ.',
  'Làm rõ trách nhiệm của các sở, ngành trong tổ chức thực hiện.',
  'Ưu tiên nguồn vốn cho các địa bàn khó khăn.',
  'Bổ sung giải pháp ứng dụng công nghệ số.',
];
const SUBFIELDS = FIELDS.filter((f) => f.code.includes('.')).map((f) => f.code);

/** A text[] literal for a bind parameter. */
const arr = (values: readonly string[]) => `{${values.map((v) => `"${v.replace(/(["\\])/gu, '\\$1')}"`).join(',')}}`;

export async function seedSyntheticConsultations(client: Client, o: SyntheticConsultationOptions): Promise<SyntheticConsultationResult> {
  if (o.requests === 0) return { requests: 0, opinions: 0 };
  const seed = Math.trunc(o.seed);
  // r('purpose', row): the load's random numbers, reproducible per seed.
  const r = (salt: string, k: string) => `pg_temp.syn_r(${seed}, '${salt}', ${k})`;
  const pick = (param: string, salt: string, k: string) => `(${param})[1 + floor(${r(salt, k)} * cardinality(${param}))::int]`;
  await client.query(`create function pg_temp.syn_r(seed bigint, salt text, k bigint) returns float8 language sql immutable as
    $$ select ('x' || substr(md5(seed::text || ':' || salt || ':' || k::text), 1, 8))::bit(32)::bigint / 4294967296.0 $$`);

  const firstRequest = await nextId(client, 'consultation_request');
  const A = o.associations;

  // --- Requests: their attributes first, in a temporary table every later step reads ----------
  o.progress('requests', 0, o.requests);
  await client.query(
    `create temporary table syn_req on commit drop as
     select g, $1::int + g - 1 as id, received, origin, status,
       -- The agency answered (RESPONSE_RECEIVED, and CLOSED after a response) or not (CLOSED with a note).
       status = 'RESPONSE_RECEIVED' or (status = 'CLOSED' and ${r('resp', 'g')} < 0.6) as answered,
       floor(${r('lead', 'g')} * ${A})::int as base,
       least(${A} - 1, floor(${r('contrib', 'g')} * 4)::int) as contributors,
       3 + floor(${r('panel', 'g')} * 5)::int as panel_size
     from (
       select g, received, origin,
         case when origin = 'SELF_INITIATED' and s in ('REQUESTED', 'SCREENING', 'DECLINED') then 'ACCEPTED' else s end as status
       from (
         select g, received, origin,
           case when received >= date '2024-07-01' then
             case when rs < 0.10 then 'REQUESTED' when rs < 0.20 then 'SCREENING' when rs < 0.24 then 'DECLINED' when rs < 0.27 then 'WITHDRAWN'
                  when rs < 0.40 then 'ACCEPTED' when rs < 0.52 then 'PANEL_FORMED' when rs < 0.75 then 'IN_REVIEW' when rs < 0.88 then 'REPORT_SUBMITTED'
                  when rs < 0.95 then 'RESPONSE_RECEIVED' else 'CLOSED' end
           else
             case when rs < 0.01 then 'REQUESTED' when rs < 0.02 then 'SCREENING' when rs < 0.06 then 'DECLINED' when rs < 0.10 then 'WITHDRAWN'
                  when rs < 0.13 then 'ACCEPTED' when rs < 0.16 then 'PANEL_FORMED' when rs < 0.22 then 'IN_REVIEW' when rs < 0.32 then 'REPORT_SUBMITTED'
                  when rs < 0.50 then 'RESPONSE_RECEIVED' else 'CLOSED' end
           end as s
         from (
           select g, date '2015-01-01' + floor(${r('received', 'g')} * (date '2025-06-30' - date '2015-01-01'))::int as received,
             case when ${r('origin', 'g')} < 0.8 then 'REQUESTED' else 'SELF_INITIATED' end as origin,
             ${r('status', 'g')} as rs
           from generate_series(1, $2::int) g
         ) x
       ) y
     ) z`,
    [firstRequest, o.requests],
  );
  await client.query(`create index on syn_req (id)`);

  await client.query(
    `insert into consultation_request (id, federation_id, kind, subject_kind, title, summary, origin, agency_name, agency_level, agency_contact,
       request_document_number, request_document_date, request_document_issuer, request_document_title, format, received_on, due_on, visibility, status, fields, version, demo)
     select s.id, $1::int, k.kind, k.subject, t.title,
       'Dữ liệu tổng hợp: đề nghị ' || lower(k.kind_vi) || ' ' || lower(k.subject_vi) || ' về ' || k.topic || ' của ' || a.name || '.',
       s.origin, a.name, a.level, 'Văn phòng ' || a.name,
       case when s.origin = 'REQUESTED' then s.g || '/' || a.abbr || '-VP' end,
       case when s.origin = 'REQUESTED' then s.received - 3 end,
       case when s.origin = 'REQUESTED' then a.name end,
       case when s.origin = 'REQUESTED' then 'Về việc đề nghị ' || lower(k.kind_vi) || ' ' || lower(k.subject_vi) || ' về ' || k.topic end,
       case when ${r('format', 's.g')} < 0.3 then 'COUNCIL' when ${r('format', 's.g')} < 0.6 then 'WORKSHOP' else 'WRITTEN_OPINIONS' end,
       s.received,
       case when ${r('due', 's.g')} < 0.85 then s.received + 20 + floor(${r('due_days', 's.g')} * 70)::int end,
       case when ${r('visibility', 's.g')} < 0.9 then 'PUBLIC' else 'CONFIDENTIAL' end,
       s.status,
       case when ${r('fields2', 's.g')} < 0.5 then array[${pick('$3::text[]', 'field1', 's.g')}]
            else array(select distinct unnest(array[${pick('$3::text[]', 'field1', 's.g')}, ${pick('$3::text[]', 'field2', 's.g')}]) order by 1) end,
       1, true
     from syn_req s
     cross join lateral (
       select case when ${r('kind', 's.g')} < 0.5 then 'CONSULTATION' when ${r('kind', 's.g')} < 0.85 then 'SOCIAL_CRITIQUE' else 'SOCIAL_ASSESSMENT' end as kind,
              (array['POLICY', 'PROGRAMME', 'PROJECT', 'PLAN', 'LEGAL_DOCUMENT', 'OTHER'])[1 + floor(${r('subject', 's.g')} * 6)::int] as subject,
              ${pick('$2::text[]', 'topic', 's.g')} as topic
     ) k0
     cross join lateral (
       select k0.*, case k0.kind when 'CONSULTATION' then 'Tư vấn' when 'SOCIAL_CRITIQUE' then 'Phản biện xã hội' else 'Giám định xã hội' end as kind_vi,
              case k0.subject when 'POLICY' then 'Chính sách' when 'PROGRAMME' then 'Chương trình' when 'PROJECT' then 'Đề án' when 'PLAN' then 'Kế hoạch'
                   when 'LEGAL_DOCUMENT' then 'Dự thảo Nghị quyết' else 'Báo cáo' end as subject_vi
     ) k
     cross join lateral (
       select ${pick('$4::text[]', 'locality', 's.g')} as loc, ${r('agency', 's.g')} as ra
     ) l
     cross join lateral (
       select case when l.ra < 0.45 then 'PEOPLES_COMMITTEE' when l.ra < 0.6 then 'PEOPLES_COUNCIL' when l.ra < 0.7 then 'PARTY_COMMITTEE'
                   when l.ra < 0.9 then 'DEPARTMENT' when l.ra < 0.95 then 'COMMUNE' else 'ENTERPRISE' end as level,
              case when l.ra < 0.45 then 'Ủy ban nhân dân ' || l.loc when l.ra < 0.6 then 'Hội đồng nhân dân ' || l.loc
                   when l.ra < 0.7 then 'Ban Thường vụ Tỉnh ủy ' || l.loc when l.ra < 0.9 then 'Sở Khoa học và Công nghệ ' || l.loc
                   when l.ra < 0.95 then 'Ủy ban nhân dân xã thuộc ' || l.loc else 'Công ty cổ phần (tổng hợp) tại ' || l.loc end as name,
              case when l.ra < 0.45 then 'UBND' when l.ra < 0.6 then 'HĐND' when l.ra < 0.7 then 'TU' when l.ra < 0.9 then 'SKHCN' when l.ra < 0.95 then 'UBND' else 'CT' end as abbr
     ) a
     cross join lateral (select k.kind_vi || ' ' || lower(k.subject_vi) || ' về ' || k.topic || ' (tổng hợp) số ' || s.g as title) t
     order by s.id`,
    [o.federationId, arr(TOPICS), arr(SUBFIELDS), arr(LOCALITIES)],
  );
  await fixSequence(client, 'consultation_request');
  o.progress('requests', o.requests, o.requests);

  // --- History: the path from creation to the current status, one row per move ---------------
  o.progress('history', 0, 1);
  await client.query(
    `insert into consultation_transition (request_id, "from", "to", note, at, key_id, by)
     select s.id, p.path[p.k - 1], p.path[p.k],
       case when p.path[p.k] in ('DECLINED', 'WITHDRAWN') or (p.path[p.k] = 'CLOSED' and not s.answered) then 'Ghi chú (dữ liệu tổng hợp)' end,
       ((s.received + 7 * (p.k - 1)) + time '09:00') at time zone 'Asia/Ho_Chi_Minh', null, null
     from syn_req s
     cross join lateral (
       select case when s.origin = 'SELF_INITIATED' then array_remove(array_remove(full_path, 'REQUESTED'), 'SCREENING') else full_path end as path
       from (select case s.status
         when 'REQUESTED' then array['REQUESTED']
         when 'SCREENING' then array['REQUESTED', 'SCREENING']
         when 'ACCEPTED' then array['REQUESTED', 'SCREENING', 'ACCEPTED']
         when 'DECLINED' then array['REQUESTED', 'SCREENING', 'DECLINED']
         when 'WITHDRAWN' then array['REQUESTED', 'SCREENING', 'ACCEPTED', 'WITHDRAWN']
         when 'PANEL_FORMED' then array['REQUESTED', 'SCREENING', 'ACCEPTED', 'PANEL_FORMED']
         when 'IN_REVIEW' then array['REQUESTED', 'SCREENING', 'ACCEPTED', 'PANEL_FORMED', 'IN_REVIEW']
         when 'REPORT_SUBMITTED' then array['REQUESTED', 'SCREENING', 'ACCEPTED', 'PANEL_FORMED', 'IN_REVIEW', 'REPORT_SUBMITTED']
         when 'RESPONSE_RECEIVED' then array['REQUESTED', 'SCREENING', 'ACCEPTED', 'PANEL_FORMED', 'IN_REVIEW', 'REPORT_SUBMITTED', 'RESPONSE_RECEIVED']
         else case when s.answered then array['REQUESTED', 'SCREENING', 'ACCEPTED', 'PANEL_FORMED', 'IN_REVIEW', 'REPORT_SUBMITTED', 'RESPONSE_RECEIVED', 'CLOSED']
                   else array['REQUESTED', 'SCREENING', 'ACCEPTED', 'PANEL_FORMED', 'IN_REVIEW', 'REPORT_SUBMITTED', 'CLOSED'] end
       end as full_path) f
     ) pp
     cross join lateral (select pp.path, k from generate_subscripts(pp.path, 1) k) p
     order by s.id, p.k`,
  );
  o.progress('history', 1, 1);

  // --- Documents: one per request (a second for one in five), 3 to 8 numbered sections -------
  o.progress('documents', 0, 1);
  const firstDocument = await nextId(client, 'policy_document');
  await client.query(
    `create temporary table syn_doc on commit drop as
     select $1::int + row_number() over (order by s.id, p) - 1 as id, s.id as request_id, s.g, p as position,
       3 + floor(${r('sections', 's.g * 2 + p')} * 6)::int as sections
     from syn_req s cross join lateral generate_series(1, case when ${r('docs', 's.g')} < 0.2 then 2 else 1 end) p`,
    [firstDocument],
  );
  await client.query(
    `insert into policy_document (id, title, link, version_label, issued_on, demo)
     select d.id, case when d.position = 1 then 'Dự thảo: ' else 'Tài liệu kèm theo: ' end || q.title,
       'https://example.org/du-thao/' || d.request_id || '-' || d.position,
       'Dự thảo lần ' || (1 + floor(${r('version', 'd.id')} * 3)::int), q.received_on - 5, true
     from syn_doc d join consultation_request q on q.id = d.request_id order by d.id`,
  );
  await fixSequence(client, 'policy_document');
  await client.query(
    `insert into consultation_request_document (request_id, document_id, position) select request_id, id, position from syn_doc order by id`,
  );
  await client.query(
    `insert into policy_document_section (document_id, number, heading, text, position)
     select d.id, n.k::text, ($1::text[])[1 + (n.k - 1) % cardinality($1::text[])],
       'Điều ' || n.k || '. Nội dung tổng hợp của điều khoản số ' || n.k || ' trong dự thảo (dữ liệu tổng hợp).', n.k
     from syn_doc d cross join lateral generate_series(1, d.sections) as n(k) order by d.id, n.k`,
    [arr(SECTION_HEADINGS)],
  );
  o.progress('documents', 1, 1);

  // --- Assignments: a lead and up to three contributors once accepted ---------------------------
  const ASSIGNED = `s.status not in ('REQUESTED', 'SCREENING', 'DECLINED')`;
  await client.query(
    `insert into consultation_assignment (request_id, association_id, role)
     select s.id, $1::int + (s.base + c) % ${A}, case when c = 0 then 'LEAD' else 'CONTRIBUTOR' end
     from syn_req s cross join lateral generate_series(0, s.contributors) c
     where ${ASSIGNED} order by s.id, c`,
    [o.firstAssociationId],
  );

  // --- Panels: 3 to 7 current members of the lead association, the first the chair ------------
  o.progress('panels', 0, 1);
  await client.query(
    `create temporary table syn_member on commit drop as
     select association_id, (row_number() over (partition by association_id order by id) - 1)::int as k, intellectual_id
     from membership where association_id between $1 and $2 and status <> 'ENDED'`,
    [o.firstAssociationId, o.firstAssociationId + A - 1],
  );
  await client.query(`create index on syn_member (association_id, k)`);
  await client.query(`create temporary table syn_msize on commit drop as select association_id, count(*)::int as n from syn_member group by association_id`);
  const PANELLED = `s.status in ('PANEL_FORMED', 'IN_REVIEW', 'REPORT_SUBMITTED', 'RESPONSE_RECEIVED', 'CLOSED')`;
  await client.query(
    `create temporary table syn_panel on commit drop as
     select s.id as request_id, s.g, j, m.intellectual_id, z.association_id
     from syn_req s
     join syn_msize z on z.association_id = $1::int + s.base
     cross join lateral generate_series(0, least(s.panel_size, z.n) - 1) j
     join syn_member m on m.association_id = z.association_id and m.k = (floor(${r('pbase', 's.g')} * z.n)::int + j) % z.n
     where ${PANELLED}`,
    [o.firstAssociationId],
  );
  await client.query(
    `insert into consultation_panel_member (created_at, updated_at, request_id, intellectual_id, role)
     select at, at, p.request_id, p.intellectual_id, case p.j when 0 then 'CHAIR' when 1 then 'SECRETARY' else 'MEMBER' end
     from syn_panel p join syn_req s on s.id = p.request_id
     cross join lateral (select ((s.received + 21) + time '09:00') at time zone 'Asia/Ho_Chi_Minh' as at) t
     order by p.request_id, p.j`,
  );
  o.progress('panels', 1, 1);

  // --- Reports, recommendations and the agencies' answers --------------------------------------
  o.progress('reports', 0, 1);
  await client.query(
    `insert into consultation_report (request_id, summary, submitted_on, link, response_received_on, response_overall, response_note)
     select s.id, 'Báo cáo tổng hợp kết quả ' || lower(q.title) || '.',
       case when s.status in ('REPORT_SUBMITTED', 'RESPONSE_RECEIVED', 'CLOSED') then s.received + 15 + floor(${r('report_days', 's.g')} * 90)::int end,
       case when s.status in ('REPORT_SUBMITTED', 'RESPONSE_RECEIVED', 'CLOSED') then 'https://example.org/bao-cao/' || s.id end,
       case when s.answered then s.received + 120 + floor(${r('answer_days', 's.g')} * 60)::int end,
       case when not s.answered then null when ${r('overall', 's.g')} < 0.5 then 'ACCEPTED' when ${r('overall', 's.g')} < 0.85 then 'PARTIALLY_ACCEPTED' else 'NOT_ACCEPTED' end,
       case when s.answered then 'Văn bản trả lời của cơ quan (dữ liệu tổng hợp).' end
     from syn_req s join consultation_request q on q.id = s.id
     -- Submitted reports, and drafts for a third of the requests in review.
     where s.status in ('REPORT_SUBMITTED', 'RESPONSE_RECEIVED', 'CLOSED') or (s.status = 'IN_REVIEW' and ${r('draft', 's.g')} < 0.3)
     order by s.id`,
  );
  await client.query(
    `insert into consultation_recommendation (request_id, number, text, section_id, outcome)
     select s.id, n, ($1::text[])[1 + (n - 1 + s.g) % cardinality($1::text[])], null,
       case when not s.answered then null when ${r('outcome', 's.g * 8 + n')} < 0.5 then 'ACCEPTED'
            when ${r('outcome', 's.g * 8 + n')} < 0.8 then 'PARTIALLY_ACCEPTED' else 'NOT_ACCEPTED' end
     from syn_req s join consultation_report rep on rep.request_id = s.id
     cross join lateral generate_series(1, 2 + floor(${r('recommendations', 's.g')} * 5)::int) n
     order by s.id, n`,
    [arr(RECOMMENDATIONS)],
  );
  o.progress('reports', 1, 1);

  // --- Opinions: the best-scored candidates of every request that went into review -------------
  // Candidates: each panel member (submitted by the lead association, their own), and up to 40
  // associations per request in a rotation from the lead (assigned ones first; others as ADMIN
  // records them). The top `opinions` by a random score favouring the panel and the assigned.
  o.progress('opinions', 0, o.opinions);
  const REVIEWED = `s.status in ('IN_REVIEW', 'REPORT_SUBMITTED', 'RESPONSE_RECEIVED', 'CLOSED')`;
  const perRequest = Math.min(A, 40);
  const inserted = await client.query(
    `insert into consultation_opinion (created_at, updated_at, request_id, association_id, intellectual_id, stance, text, section_id, version)
     select at, at, c.request_id, c.association_id, c.author, st.stance,
       ($1::text[])[1 + floor(${r('text', 'c.salt')} * cardinality($1::text[]))::int] || ' (ý kiến tổng hợp)',
       sec.id, 1
     from (
       select * from (
         select s.id as request_id, s.g, s.received, p.association_id, p.intellectual_id as author, s.g::bigint * 64 + p.j as salt,
                ${r('score', 's.g::bigint * 64 + p.j')} + 0.5 as score
         from syn_req s join syn_panel p on p.request_id = s.id where ${REVIEWED}
         union all
         select s.id, s.g, s.received, $2::int + (s.base + j) % ${A}, null, s.g::bigint * 64 + 8 + j,
                ${r('score', 's.g::bigint * 64 + 8 + j')} + case when j <= s.contributors then 1 else 0 end
         from syn_req s cross join lateral generate_series(0, ${perRequest - 1}) j where ${REVIEWED}
       ) all_candidates
       order by score desc, salt
       limit $3
     ) c
     left join syn_doc d on d.request_id = c.request_id and d.position = 1
     left join policy_document_section sec on sec.document_id = d.id and ${r('section', 'c.salt')} < 0.5
       and sec.number = (1 + floor(${r('section_no', 'c.salt')} * d.sections)::int)::text
     cross join lateral (
       select case when ${r('stance', 'c.salt')} < 0.25 then 'SUPPORT' when ${r('stance', 'c.salt')} < 0.75 then 'SUPPORT_WITH_CHANGES'
                   when ${r('stance', 'c.salt')} < 0.9 then 'OPPOSE' else 'NO_OPINION' end as stance,
              ((c.received + 25 + floor(${r('opinion_day', 'c.salt')} * 20)::int) + time '08:00' + floor(${r('opinion_minute', 'c.salt')} * 600)::int * interval '1 minute')
                at time zone 'Asia/Ho_Chi_Minh' as at
     ) st
     order by c.request_id, c.author nulls first, c.association_id`,
    [arr(OPINION_TEXTS), o.firstAssociationId, o.opinions],
  );
  o.progress('opinions', inserted.rowCount ?? 0, o.opinions);

  await client.query(`analyze consultation_request, consultation_transition, policy_document, policy_document_section, consultation_request_document,
    consultation_assignment, consultation_panel_member, consultation_report, consultation_recommendation, consultation_opinion`);
  return { requests: o.requests, opinions: inserted.rowCount ?? 0 };
}

async function nextId(client: Client, table: string): Promise<number> {
  const { rows } = await client.query<{ next: string }>(`select coalesce(max(id), 0) + 1 as next from ${client.escapeIdentifier(table)}`);
  return Number(rows[0]!.next);
}

async function fixSequence(client: Client, table: string): Promise<void> {
  await client.query(`select setval(pg_get_serial_sequence($1, 'id'), (select max(id) from ${client.escapeIdentifier(table)}))`, [table]);
}
