import type { EntityManager } from '@mikro-orm/postgresql';
import { forbidden, type Viewer } from '../../common/auth';
import { hydrate } from '../../common/hydrate';
import { checkVersion, MutationSpec, MutationWork, refuse, runMutation } from '../../common/mutation';
import { rateLimitedError } from '../../common/rate-limit';
import { insertRow, knexOf, pgArray, readRow, rowExists, runQuery, updateRow } from '../../common/sql';
import { normalizeText } from '../../common/text';
import { Problems, UserError, UserErrorCode } from '../../common/user-errors';
import * as v from '../../common/validate';
import { Association } from '../association/association.entity';
import { diff, type Changes } from '../audit/audit.service';
import { ConsultationStatus } from '../consultation/consultation.enums';
import { ConsultationRequest } from '../consultation/consultation-request.entity';
import { Federation } from '../federation/federation.entity';
import { isCurrentMember } from '../intellectual/intellectual.policy';
import { Forum, forumStatusAt, forumStatusIs } from './forum.entity';
import { FORUM_MOVES, ForumStatus, ForumVisibility, ReactionKind } from './forum.enums';
import { ForumPost, ForumPostRevision, ForumReaction } from './forum-post.entity';
import { ForumSynthesis } from './forum-synthesis.entity';
import { ForumThread } from './forum-thread.entity';
import { ForumPostPolicy, seesForum } from './forum.policy';
import type { ForumSettings } from './forum.settings';
import {
  AttachSynthesisToRequestInput,
  CreateForumInput,
  CreatePostInput,
  CreateThreadInput,
  EditPostInput,
  HidePostInput,
  LockThreadInput,
  PublishSynthesisInput,
  ReactToPostInput,
  SetForumStatusInput,
  UnhidePostInput,
  UpdateForumInput,
} from './forum-write.inputs';
import { AttachSynthesisPayload, ForumPayload, ForumPostPayload, ForumSynthesisPayload, ForumThreadPayload } from './forum-write.types';

/*
 * Every write of the forum module, each through runMutation (role check → validation → transaction
 * → idempotency → work → audit → stored response), writing with SQL (insertRow, updateRow).
 *
 * Validation reads what it needs without locks and reports every problem at once; the work then
 * takes its row locks and checks again what may have changed meanwhile (forum status, lock,
 * hidden, version), refusing (everything rolls back) when it did.
 *
 * Lock order, the same in every write, so that two writes never wait on each other in opposite
 * orders: thread → post → forum → consultation request.
 *  - createPost: `update forum_thread … returning` first (the row lock serialises a thread's posts,
 *    so post ids within a thread are in commit order), then the post insert, the parent's
 *    reply_count, the forum's post_count (an update that only matches an OPEN forum).
 *  - editPost and reactToPost: the thread `for share` (a lockThread waits for them, they for it),
 *    the post `for update`, the forum `for share` (a close waits for them, they for it).
 *  - hidePost, unhidePost: the post; lockThread: the thread; forum changes: the forum.
 *  - publishSynthesis: the forum; attachSynthesisToRequest: the forum (share), its synthesis, then
 *    the request, as consultation-write.service.ts locks it.
 */

type Path = (string | number)[];
type Row = Record<string, unknown>;

const TITLE_MAX = 300;
const DESCRIPTION_MAX = 20_000;
const BODY_MAX = 20_000;
const SUMMARY_MAX = 20_000;
const RECOMMENDATION_MAX = 10_000;
const MAX_RECOMMENDATIONS = 100;
const MAX_CITATIONS = 100;
const MAX_TAGS = 20;
const TAG_MAX = 50;
const REASON_MAX = 500;
const NOTE_MAX = 2000;
/** Times PostgreSQL and people can use (the DateTime scalar takes JavaScript's whole range). */
const EARLIEST = Date.UTC(1900, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59);

/** Statuses in which a consultation request's report is still a draft (as submitReport). */
const DRAFT_REPORT: readonly ConsultationStatus[] = [ConsultationStatus.PANEL_FORMED, ConsultationStatus.IN_REVIEW];

// ---------------------------------------------------------------- small helpers

function time(p: Problems, path: Path, value: Date | null | undefined): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const t = value.getTime();
  if (!Number.isFinite(t) || t < EARLIEST || t > LATEST) {
    p.add(UserErrorCode.INVALID_DATE, path, `${path[path.length - 1]} must be between the years 1900 and 9999`);
    return undefined;
  }
  return value;
}

/** Tags: at most 20, each 1 to 50 characters, lower case, without duplicates (in the order given). */
function tagsOf(p: Problems, path: Path, tags: string[] | null | undefined): string[] {
  const list = tags ?? [];
  if (list.length > MAX_TAGS) p.add(UserErrorCode.TOO_MANY_ROWS, path, `at most ${MAX_TAGS} tags`);
  const out: string[] = [];
  list.slice(0, MAX_TAGS).forEach((raw, k) => {
    const t = v.text(p, [...path, k], raw, { max: TAG_MAX, required: true });
    if (t && !out.includes(t.toLowerCase())) out.push(t.toLowerCase());
  });
  return out;
}

/** The id of the section numbered `number` of the document, or null with NOT_FOUND at `path`. */
async function sectionOf(p: Problems, em: EntityManager, path: Path, documentId: number | null, number: string | null | undefined): Promise<number | null> {
  if (number === null || number === undefined || documentId === null) return null;
  const n = normalizeText(number);
  const [row] = n ? await runQuery<{ id: number }>(em, knexOf(em)('policy_document_section').select('id').where({ document_id: documentId, number: n })) : [];
  if (!row) p.add(UserErrorCode.NOT_FOUND, path, `The forum's document has no section "${n}"`);
  return row ? Number(row.id) : null;
}

/**
 * The forum a global id names, as the viewer may know it: a forum an ASSOCIATION key cannot see
 * (a DRAFT) does not exist for it, so it is NOT_FOUND as one that does not exist.
 */
async function namedForum(p: Problems, em: EntityManager, viewer: Viewer, path: Path, globalId: string): Promise<Forum | null> {
  const id = v.globalId(p, path, globalId, 'Forum');
  if (id === null) return null;
  const q = knexOf(em)('forum as f').select('f.*').where('f.id', id);
  if (viewer.role !== 'ADMIN' && viewer.role !== 'ANALYST') q.whereRaw(...seesForum(viewer, 'f'));
  const [row] = await runQuery(em, q);
  if (!row) p.add(UserErrorCode.NOT_FOUND, path, 'No forum has this id');
  return row ? hydrate(em, Forum, row) : null;
}

/** A thread or post by global id, with its forum, under the same visibility as namedForum. */
async function namedInForum<T extends ForumThread | ForumPost>(
  p: Problems,
  em: EntityManager,
  viewer: Viewer,
  path: Path,
  globalId: string,
  entity: typeof ForumThread | typeof ForumPost,
): Promise<{ row: T; forum: Forum } | null> {
  const type = entity === ForumThread ? 'ForumThread' : 'ForumPost';
  const id = v.globalId(p, path, globalId, type);
  if (id === null) return null;
  const table = entity === ForumThread ? 'forum_thread' : 'forum_post';
  const q = knexOf(em)(`${table} as x`).join('forum as f', 'f.id', 'x.forum_id').select('x.*', knexOf(em).raw('row_to_json(f.*) as forum__')).where('x.id', id);
  if (viewer.role !== 'ADMIN' && viewer.role !== 'ANALYST') q.whereRaw(...seesForum(viewer, 'f'));
  const [row] = await runQuery(em, q);
  if (!row) {
    p.add(UserErrorCode.NOT_FOUND, path, `No ${entity === ForumThread ? 'thread' : 'post'} has this id`);
    return null;
  }
  const x = hydrate(em, entity as never, row) as T;
  return { row: x, forum: x.forum as Forum };
}

/** The public columns of a forum, for audit diffs. */
function snapshot(f: Forum): Row {
  return {
    title: f.title,
    description: f.description ?? null,
    documentId: f.document.id,
    consultationRequestId: f.consultationRequest?.id ?? null,
    opensAt: f.opensAt.toISOString(),
    closesAt: f.closesAt.toISOString(),
    visibility: f.visibility,
    tags: f.tags,
  };
}

/** Who writes a thread or post: an ASSOCIATION key for one of its current members, ADMIN as the federation. */
interface Authorship {
  authorId: number | null;
  associationId: number | null;
  associationCode: string | null;
  byFederation: boolean;
}

// ---------------------------------------------------------------- payloads (what a replay stores)

const FORUM_PAYLOAD = {
  refused: (userErrors: UserError[]): ForumPayload => ({ forum: null, userErrors }),
  store: (r: ForumPayload) => ({ forumId: r.forum?.id ?? null, userErrors: r.userErrors }),
  restore: async (stored: unknown, tx: EntityManager): Promise<ForumPayload> => {
    const s = stored as { forumId: number | null; userErrors: UserError[] };
    return { forum: s.forumId === null ? null : await readRow(tx, Forum, s.forumId), userErrors: s.userErrors };
  },
} satisfies Partial<MutationSpec<unknown, ForumPayload>>;

const THREAD_PAYLOAD = {
  refused: (userErrors: UserError[]): ForumThreadPayload => ({ thread: null, post: null, userErrors }),
  store: (r: ForumThreadPayload) => ({ threadId: r.thread?.id ?? null, postId: r.post?.id ?? null, userErrors: r.userErrors }),
  restore: async (stored: unknown, tx: EntityManager): Promise<ForumThreadPayload> => {
    const s = stored as { threadId: number | null; postId: number | null; userErrors: UserError[] };
    return {
      thread: s.threadId === null ? null : await readRow(tx, ForumThread, s.threadId),
      post: s.postId === null ? null : await readRow(tx, ForumPost, s.postId),
      userErrors: s.userErrors,
    };
  },
} satisfies Partial<MutationSpec<unknown, ForumThreadPayload>>;

const POST_PAYLOAD = {
  refused: (userErrors: UserError[]): ForumPostPayload => ({ post: null, userErrors }),
  store: (r: ForumPostPayload) => ({ postId: r.post?.id ?? null, userErrors: r.userErrors }),
  restore: async (stored: unknown, tx: EntityManager): Promise<ForumPostPayload> => {
    const s = stored as { postId: number | null; userErrors: UserError[] };
    return { post: s.postId === null ? null : await readRow(tx, ForumPost, s.postId), userErrors: s.userErrors };
  },
} satisfies Partial<MutationSpec<unknown, ForumPostPayload>>;

const readSynthesis = async (em: EntityManager, forumId: number, lock?: 'update'): Promise<ForumSynthesis | null> => {
  const q = knexOf(em)('forum_synthesis').select('*').where('forum_id', forumId);
  const [row] = await runQuery(em, lock ? q.forUpdate() : q);
  return row ? hydrate(em, ForumSynthesis, row) : null;
};

/** Writes to forums, threads, posts, reactions and syntheses. */
export class ForumWriteService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
    private readonly settings: ForumSettings,
  ) {}

  // -------------------------------------------------------------- forums (ADMIN)

  createForum(input: CreateForumInput): Promise<ForumPayload> {
    return runMutation(this.em, this.viewer, {
      ...FORUM_PAYLOAD,
      operation: 'createForum',
      roles: ['ADMIN'],
      what: 'Creating a forum',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        const federation = await em.findOne(Federation, { code: normalizeText(input.federationCode ?? '') });
        if (!federation) p.add(UserErrorCode.NOT_FOUND, ['federationCode'], `No federation has the code ${input.federationCode}`);
        const documentId = v.globalId(p, ['documentId'], input.documentId, 'PolicyDocument');
        if (documentId !== null && !(await rowExists(em, 'policy_document', documentId))) p.add(UserErrorCode.NOT_FOUND, ['documentId'], 'No policy document has this id');
        const requestId = v.globalId(p, ['consultationRequestId'], input.consultationRequestId, 'ConsultationRequest');
        if (requestId !== null && !(await rowExists(em, 'consultation_request', requestId))) p.add(UserErrorCode.NOT_FOUND, ['consultationRequestId'], 'No consultation request has this id');
        const opensAt = time(p, ['opensAt'], input.opensAt);
        const closesAt = time(p, ['closesAt'], input.closesAt);
        if (opensAt && closesAt && closesAt.getTime() <= opensAt.getTime()) p.add(UserErrorCode.INVALID_DATE, ['closesAt'], 'closesAt must be after opensAt');
        const values = {
          federation: federation?.id ?? 0,
          title: v.text(p, ['title'], input.title, { max: TITLE_MAX, required: true }) ?? '',
          description: v.text(p, ['description'], input.description ?? null, { max: DESCRIPTION_MAX, multiline: true }) ?? null,
          document: documentId ?? 0,
          consultationRequest: requestId,
          opensAt: opensAt ?? new Date(),
          closesAt: closesAt ?? new Date(),
          visibility: input.visibility ?? ForumVisibility.PUBLIC,
          tags: tagsOf(p, ['tags'], input.tags),
        };
        return { values, federationCode: federation?.code ?? '' };
      },
      work: async (w, { values, federationCode }) => {
        const f = await insertRow(w.tx, Forum, values);
        w.audit({ entityType: 'Forum', entityId: f.id, action: 'CREATE', changes: diff(null, { ...snapshot(f), federationCode }) });
        return { forum: f, userErrors: [] };
      },
    });
  }

  updateForum(input: UpdateForumInput): Promise<ForumPayload> {
    let current: Forum | null = null;
    return runMutation(this.em, this.viewer, {
      ...FORUM_PAYLOAD,
      refused: (userErrors) => ({ forum: current, userErrors }),
      operation: 'updateForum',
      roles: ['ADMIN'],
      what: 'Changing a forum',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        current = await namedForum(p, em, this.viewer, ['id'], input.id);
        const changes: Row = {};
        const nonNull = (name: keyof UpdateForumInput) => {
          if (input[name] === null) p.add(UserErrorCode.REQUIRED, [name], `${name} cannot be null`);
        };
        if (input.title !== undefined) {
          nonNull('title');
          if (input.title !== null) changes.title = v.text(p, ['title'], input.title, { max: TITLE_MAX, required: true }) ?? undefined;
        }
        if (input.description !== undefined) changes.description = v.text(p, ['description'], input.description, { max: DESCRIPTION_MAX, multiline: true }) ?? null;
        if (input.documentId !== undefined) {
          nonNull('documentId');
          const documentId = v.globalId(p, ['documentId'], input.documentId, 'PolicyDocument');
          if (documentId !== null && !(await rowExists(em, 'policy_document', documentId))) p.add(UserErrorCode.NOT_FOUND, ['documentId'], 'No policy document has this id');
          else if (documentId !== null) changes.document = documentId;
        }
        if (input.consultationRequestId !== undefined) {
          const requestId = v.globalId(p, ['consultationRequestId'], input.consultationRequestId, 'ConsultationRequest');
          if (requestId !== null && !(await rowExists(em, 'consultation_request', requestId))) p.add(UserErrorCode.NOT_FOUND, ['consultationRequestId'], 'No consultation request has this id');
          changes.consultationRequest = requestId;
        }
        if (input.opensAt !== undefined) {
          nonNull('opensAt');
          changes.opensAt = time(p, ['opensAt'], input.opensAt);
        }
        if (input.closesAt !== undefined) {
          nonNull('closesAt');
          changes.closesAt = time(p, ['closesAt'], input.closesAt);
        }
        if (input.visibility !== undefined) {
          nonNull('visibility');
          changes.visibility = input.visibility ?? undefined;
        }
        if (input.tags !== undefined) changes.tags = tagsOf(p, ['tags'], input.tags);
        for (const k of Object.keys(changes)) if (changes[k] === undefined) delete changes[k];
        return { id: current?.id ?? 0, changes };
      },
      work: async (w, { id, changes }) => {
        const f = (current = (await readRow(w.tx, Forum, id, 'update'))!);
        checkVersion(w, 'forum', f.version, input.expectedVersion);
        const next = Object.assign(Object.create(Object.getPrototypeOf(f)), f, changes) as Forum;
        if (changes.document !== undefined) next.document = { id: changes.document as number } as never;
        if (changes.consultationRequest !== undefined) next.consultationRequest = changes.consultationRequest === null ? null : ({ id: changes.consultationRequest as number } as never);
        if (next.closesAt.getTime() <= next.opensAt.getTime()) refuse(w, UserErrorCode.INVALID_DATE, [changes.closesAt !== undefined ? 'closesAt' : 'opensAt'], 'closesAt must be after opensAt');
        const changed = diff(snapshot(f), snapshot(next));
        if (!Object.keys(changed).length) return { forum: f, userErrors: [] };
        if (changed.documentId) {
          const [thread] = await runQuery(w.tx, knexOf(w.tx)('forum_thread').select('id').where('forum_id', f.id).limit(1));
          if (thread) refuse(w, UserErrorCode.INVALID_STATE, ['documentId'], 'The forum has threads: its document can no longer change');
        }
        const updated = await updateRow(w.tx, Forum, f.id, { ...changes, version: f.version + 1, updatedAt: new Date() });
        w.audit({ entityType: 'Forum', entityId: f.id, action: 'UPDATE', changes: changed });
        return { forum: updated, userErrors: [] };
      },
    });
  }

  setForumStatus(input: SetForumStatusInput): Promise<ForumPayload> {
    let current: Forum | null = null;
    return runMutation(this.em, this.viewer, {
      ...FORUM_PAYLOAD,
      refused: (userErrors) => ({ forum: current, userErrors }),
      operation: 'setForumStatus',
      roles: ['ADMIN'],
      what: "Changing a forum's status",
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        current = await namedForum(p, em, this.viewer, ['id'], input.id);
        const note = v.text(p, ['note'], input.note ?? null, { max: NOTE_MAX, multiline: true }) ?? null;
        return { id: current?.id ?? 0, note };
      },
      work: async (w, { id, note }) => {
        const f = (current = (await readRow(w.tx, Forum, id, 'update'))!);
        checkVersion(w, 'forum', f.version, input.expectedVersion);
        const now = new Date();
        const from = forumStatusAt(f, now);
        const to = input.status;
        const allowed = FORUM_MOVES[from];
        if (!allowed.includes(to)) refuse(w, UserErrorCode.INVALID_TRANSITION, ['status'], `A forum ${from} cannot move to ${to}; allowed: ${allowed.join(', ')}`);
        let changes: Row;
        if (from === ForumStatus.DRAFT) changes = { opensAt: now };
        else if (from === ForumStatus.OPEN) changes = { closedAt: now };
        else if (from === ForumStatus.ARCHIVED) changes = { archivedAt: null };
        else if (to === ForumStatus.ARCHIVED) changes = { archivedAt: now };
        else {
          // CLOSED → OPEN: only undoes an early close, and only while the forum's time is not up.
          if (!f.closedAt || f.closesAt.getTime() <= now.getTime())
            refuse(w, UserErrorCode.INVALID_TRANSITION, ['status'], 'Only a forum closed early whose closesAt is still ahead reopens: change closesAt (updateForum) first');
          changes = { closedAt: null };
        }
        const updated = await updateRow(w.tx, Forum, f.id, { ...changes, version: f.version + 1, updatedAt: now });
        const audit: Changes = { status: { old: from, new: to } };
        if (note) audit.note = { old: null, new: note };
        w.audit({ entityType: 'Forum', entityId: f.id, action: 'STATUS', changes: audit });
        return { forum: updated, userErrors: [] };
      },
    });
  }

  // -------------------------------------------------------------- threads and posts (ASSOCIATION or ADMIN)

  /** Who writes: validated into `p` (NOT_A_MEMBER, INVALID for ADMIN with an authorId). */
  private async authorship(p: Problems, em: EntityManager, authorIdInput: string | null | undefined): Promise<Authorship> {
    if (this.viewer.role === 'ADMIN') {
      if (authorIdInput != null) p.add(UserErrorCode.INVALID, ['authorId'], 'ADMIN writes as the federation: leave authorId out');
      return { authorId: null, associationId: null, associationCode: null, byFederation: true };
    }
    const associationId = this.viewer.associationId!;
    const association = await em.findOne(Association, { id: associationId });
    const authorId = v.globalId(p, ['authorId'], authorIdInput, 'Intellectual');
    if (authorIdInput == null) p.add(UserErrorCode.REQUIRED, ['authorId'], "An association writes for one of its current members: give authorId");
    else if (authorId !== null && !(await isCurrentMember(em, authorId, associationId)))
      p.add(UserErrorCode.NOT_A_MEMBER, ['authorId'], `This person is not a current member of ${association?.code ?? 'the association'}`);
    return { authorId, associationId, associationCode: association?.code ?? null, byFederation: false };
  }

  /** Flood control: one token per new thread or post and key; none left → RATE_LIMITED (HTTP 429, Retry-After). */
  private async takeToken(): Promise<void> {
    const bucket = this.settings.posts;
    if (!bucket || this.viewer.keyId === null) return;
    const taken = await bucket.take(String(this.viewer.keyId));
    if (!taken.allowed)
      throw rateLimitedError(`This key has written ${this.settings.postsPerMinute} posts in the last minute (FORUM_POSTS_PER_MINUTE): retry in ${taken.retryAfterSeconds} s`, taken.retryAfterSeconds);
  }

  createThread(input: CreateThreadInput): Promise<ForumThreadPayload> {
    return runMutation(this.em, this.viewer, {
      ...THREAD_PAYLOAD,
      operation: 'createThread',
      roles: ['ADMIN', 'ASSOCIATION'],
      what: 'Opening a forum thread',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        const forum = await namedForum(p, em, this.viewer, ['forumId'], input.forumId);
        if (forum && forumStatusAt(forum) !== ForumStatus.OPEN) p.add(UserErrorCode.FORUM_CLOSED, ['forumId'], `The forum is ${forumStatusAt(forum)}: it takes threads only while OPEN`);
        const title = v.text(p, ['title'], input.title, { max: TITLE_MAX, required: true }) ?? '';
        const sectionId = await sectionOf(p, em, ['section'], forum?.document.id ?? null, input.section);
        const body = v.text(p, ['body'], input.body, { max: BODY_MAX, required: true, multiline: true }) ?? '';
        const who = await this.authorship(p, em, input.authorId);
        return { forumId: forum?.id ?? 0, title, sectionId, body, stance: input.stance ?? null, who };
      },
      work: async (w, { forumId, title, sectionId, body, stance, who }) => {
        await this.takeToken();
        const author = { author: who.authorId, association: who.associationId, byFederation: who.byFederation };
        const now = new Date();
        const thread = await insertRow(w.tx, ForumThread, { forum: forumId, title, section: sectionId, ...author, postCount: 1, lastActivityAt: now });
        const post = await insertRow(w.tx, ForumPost, { thread: thread.id, forum: forumId, parent: null, ...author, body, stance, section: sectionId });
        await this.bumpForum(w, forumId, 1, ['forumId']);
        w.audit(
          { entityType: 'ForumThread', entityId: thread.id, action: 'CREATE', associationCode: who.associationCode, changes: diff(null, { forumId, title, sectionId, authorId: who.authorId, byFederation: who.byFederation }) },
          { entityType: 'ForumPost', entityId: post.id, action: 'CREATE', associationCode: who.associationCode, changes: diff(null, { threadId: thread.id, authorId: who.authorId, stance, sectionId, body }) },
        );
        return { thread, post, userErrors: [] };
      },
    });
  }

  /**
   * The forum's counters after a post (and a thread), by an update that matches only an OPEN
   * forum: a forum closed since validation (its close committed first) refuses here, under its
   * row lock, so no post lands in a closed forum.
   */
  private async bumpForum(w: MutationWork, forumId: number, threads: number, field: Path): Promise<void> {
    const rows = await runQuery(
      w.tx,
      knexOf(w.tx).raw(
        `update forum f set post_count = f.post_count + 1, thread_count = f.thread_count + ?, last_activity_at = now() where f.id = ? and ${forumStatusIs('f', ForumStatus.OPEN)} returning f.id`,
        [threads, forumId],
      ),
    );
    if (!rows.length) refuse(w, UserErrorCode.FORUM_CLOSED, field, 'The forum is no longer OPEN: it takes no more posts');
  }

  createPost(input: CreatePostInput): Promise<ForumPostPayload> {
    return runMutation(this.em, this.viewer, {
      ...POST_PAYLOAD,
      operation: 'createPost',
      roles: ['ADMIN', 'ASSOCIATION'],
      what: 'Writing a forum post',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        const found = await namedInForum<ForumThread>(p, em, this.viewer, ['threadId'], input.threadId, ForumThread);
        const thread = found?.row ?? null;
        const forum = found?.forum ?? null;
        if (forum && forumStatusAt(forum) !== ForumStatus.OPEN) p.add(UserErrorCode.FORUM_CLOSED, ['threadId'], `The forum is ${forumStatusAt(forum)}: it takes posts only while OPEN`);
        else if (thread?.locked) p.add(UserErrorCode.THREAD_LOCKED, ['threadId'], 'The thread is locked: it takes no more posts');
        const parentId = v.globalId(p, ['parentId'], input.parentId, 'ForumPost');
        if (parentId !== null) {
          const [parent] = await runQuery<{ thread_id: number }>(em, knexOf(em)('forum_post').select('thread_id').where('id', parentId));
          if (!parent) p.add(UserErrorCode.NOT_FOUND, ['parentId'], 'No post has this id');
          else if (thread && Number(parent.thread_id) !== thread.id) p.add(UserErrorCode.INVALID, ['parentId'], 'The post replied to is in another thread: a reply stays in its thread');
        }
        const body = v.text(p, ['body'], input.body, { max: BODY_MAX, required: true, multiline: true }) ?? '';
        const sectionId = input.section != null ? await sectionOf(p, em, ['section'], forum?.document.id ?? null, input.section) : (thread?.section?.id ?? null);
        const who = await this.authorship(p, em, input.authorId);
        return { threadId: thread?.id ?? 0, forumId: forum?.id ?? 0, parentId, body, stance: input.stance ?? null, sectionId, who };
      },
      work: async (w, { threadId, forumId, parentId, body, stance, sectionId, who }) => {
        await this.takeToken();
        // The thread's row lock first: a thread's posts are inserted one at a time, ids in commit order.
        const [t] = await runQuery<{ locked: boolean }>(
          w.tx,
          knexOf(w.tx).raw(`update forum_thread set post_count = post_count + 1, last_activity_at = now() where id = ? returning locked`, [threadId]),
        );
        if (t.locked) refuse(w, UserErrorCode.THREAD_LOCKED, ['threadId'], 'The thread is locked: it takes no more posts');
        const post = await insertRow(w.tx, ForumPost, {
          thread: threadId,
          forum: forumId,
          parent: parentId,
          author: who.authorId,
          association: who.associationId,
          byFederation: who.byFederation,
          body,
          stance,
          section: sectionId,
        });
        if (parentId !== null) await runQuery(w.tx, knexOf(w.tx).raw('update forum_post set reply_count = reply_count + 1 where id = ?', [parentId]));
        await this.bumpForum(w, forumId, 0, ['threadId']);
        w.audit({
          entityType: 'ForumPost',
          entityId: post.id,
          action: 'CREATE',
          associationCode: who.associationCode,
          changes: diff(null, { threadId, parentId, authorId: who.authorId, stance, sectionId, body }),
        });
        return { post, userErrors: [] };
      },
    });
  }

  /** The post's thread (share), the post (update) and its forum (share), in the house order. */
  private async lockPost(w: MutationWork, postId: number): Promise<{ post: ForumPost; thread: ForumThread; forum: Forum }> {
    const [{ thread_id }] = await runQuery<{ thread_id: number }>(w.tx, knexOf(w.tx)('forum_post').select('thread_id').where('id', postId));
    const thread = (await readRow(w.tx, ForumThread, Number(thread_id), 'share'))!;
    const post = (await readRow(w.tx, ForumPost, postId, 'update'))!;
    const forum = (await readRow(w.tx, Forum, post.forum.id, 'share'))!;
    return { post, thread, forum };
  }

  editPost(input: EditPostInput): Promise<ForumPostPayload> {
    let current: ForumPost | null = null;
    return runMutation(this.em, this.viewer, {
      ...POST_PAYLOAD,
      refused: (userErrors) => ({ post: current, userErrors }),
      operation: 'editPost',
      roles: ['ADMIN', 'ASSOCIATION'],
      what: 'Editing a forum post',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        const found = await namedInForum<ForumPost>(p, em, this.viewer, ['id'], input.id, ForumPost);
        // Another association's post answers FORBIDDEN: an app edits only what it wrote.
        if (found && !ForumPostPolicy.canWrite(this.viewer, found.row)) throw forbidden("This key may edit only the posts its association's app wrote");
        current = found?.row ?? null;
        const body = v.text(p, ['body'], input.body, { max: BODY_MAX, required: true, multiline: true }) ?? '';
        return { id: current?.id ?? 0, body };
      },
      work: async (w, { id, body }) => {
        const { post, thread, forum } = await this.lockPost(w, id);
        current = post;
        const status = forumStatusAt(forum);
        if (status !== ForumStatus.OPEN) refuse(w, UserErrorCode.FORUM_CLOSED, ['id'], `The forum is ${status}: posts are edited only while it is OPEN`);
        if (thread.locked) refuse(w, UserErrorCode.THREAD_LOCKED, ['id'], 'The thread is locked: its posts can no longer be edited');
        if (post.hiddenAt) refuse(w, UserErrorCode.INVALID_STATE, ['id'], 'The post is hidden: it cannot be edited');
        checkVersion(w, 'post', post.version, input.expectedVersion);
        if (w.viewer.role !== 'ADMIN') {
          const [{ closed }] = await runQuery<{ closed: boolean }>(
            w.tx,
            knexOf(w.tx).raw(`select now() - created_at > ? * interval '1 millisecond' as closed from forum_post where id = ?`, [this.settings.editWindowMs, id]),
          );
          if (closed) refuse(w, UserErrorCode.EDIT_WINDOW_CLOSED, ['id'], `The post was written more than ${Math.round(this.settings.editWindowMs / 60_000)} minutes ago: it can no longer be edited`);
        }
        const stance = input.stance !== undefined ? (input.stance ?? null) : (post.stance ?? null);
        const changed = diff({ body: post.body, stance: post.stance ?? null }, { body, stance });
        if (!Object.keys(changed).length) return { post, userErrors: [] };
        // The body being replaced is kept: revision n is the body of version n.
        await insertRow(w.tx, ForumPostRevision, { post: post.id, revision: post.version, body: post.body, stance: post.stance ?? null, writtenAt: post.editedAt ?? post.createdAt });
        const now = new Date();
        const updated = await updateRow(w.tx, ForumPost, post.id, { body, stance, editedAt: now, version: post.version + 1, updatedAt: now });
        w.audit({ entityType: 'ForumPost', entityId: post.id, action: 'UPDATE', associationCode: await this.codeOf(w, post.association?.id ?? null), changes: changed });
        return { post: updated, userErrors: [] };
      },
    });
  }

  private async codeOf(w: MutationWork, associationId: number | null): Promise<string | null> {
    if (associationId === null) return null;
    const [row] = await runQuery<{ code: string }>(w.tx, knexOf(w.tx)('association').select('code').where('id', associationId));
    return row?.code ?? null;
  }

  reactToPost(input: ReactToPostInput): Promise<ForumPostPayload> {
    let current: ForumPost | null = null;
    return runMutation(this.em, this.viewer, {
      ...POST_PAYLOAD,
      refused: (userErrors) => ({ post: current, userErrors }),
      operation: 'reactToPost',
      roles: ['ADMIN', 'ASSOCIATION'],
      what: 'Reacting to a forum post',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        const found = await namedInForum<ForumPost>(p, em, this.viewer, ['postId'], input.postId, ForumPost);
        current = found?.row ?? null;
        const personId = v.globalId(p, ['personId'], input.personId, 'Intellectual');
        if (personId !== null) {
          if (this.viewer.role === 'ASSOCIATION') {
            if (!(await isCurrentMember(em, personId, this.viewer.associationId!)))
              p.add(UserErrorCode.NOT_A_MEMBER, ['personId'], "This person is not a current member of the key's association");
          } else if (!(await rowExists(em, 'intellectual', personId))) p.add(UserErrorCode.NOT_FOUND, ['personId'], 'No person has this id');
        }
        return { id: current?.id ?? 0, personId: personId ?? 0 };
      },
      work: async (w, { id, personId }) => {
        const { post, thread, forum } = await this.lockPost(w, id);
        current = post;
        const status = forumStatusAt(forum);
        if (status !== ForumStatus.OPEN) refuse(w, UserErrorCode.FORUM_CLOSED, ['postId'], `The forum is ${status}: it takes reactions only while OPEN`);
        if (thread.locked) refuse(w, UserErrorCode.THREAD_LOCKED, ['postId'], 'The thread is locked: it takes no more reactions');
        const kind = input.reaction ?? null;
        if (post.hiddenAt && kind !== null) refuse(w, UserErrorCode.INVALID_STATE, ['postId'], 'The post is hidden: it takes no reactions (removing one is allowed)');
        const knex = knexOf(w.tx);
        // Under the post's row lock: reactions to one post are written one at a time.
        const [old] = await runQuery<{ id: number; kind: ReactionKind }>(w.tx, knex('forum_reaction').select('id', 'kind').where({ post_id: post.id, intellectual_id: personId }));
        const before = old?.kind ?? null;
        if (before === kind) return { post, userErrors: [] };
        const now = new Date();
        if (!old) await insertRow(w.tx, ForumReaction, { post: post.id, person: personId, association: w.viewer.associationId, kind: kind!, createdAt: now, updatedAt: now });
        else if (kind === null) await runQuery(w.tx, knex('forum_reaction').where('id', old.id).delete());
        else await updateRow(w.tx, ForumReaction, old.id, { kind, association: w.viewer.associationId, updatedAt: now });
        const delta = (k: ReactionKind) => (kind === k ? 1 : 0) - (before === k ? 1 : 0);
        const updated = await updateRow(w.tx, ForumPost, post.id, {
          supportCount: post.supportCount + delta(ReactionKind.SUPPORT),
          opposeCount: post.opposeCount + delta(ReactionKind.OPPOSE),
        });
        // Who reacted is not public: the log names the person by internal id only, never by name.
        w.audit({
          entityType: 'ForumPost',
          entityId: post.id,
          action: 'REACT',
          associationCode: await this.codeOf(w, w.viewer.associationId),
          changes: { personId: { old: null, new: personId }, reaction: { old: before, new: kind } },
        });
        return { post: updated, userErrors: [] };
      },
    });
  }

  // -------------------------------------------------------------- moderation (ADMIN)

  private hideOrShow(input: HidePostInput | UnhidePostInput, hide: boolean): Promise<ForumPostPayload> {
    let current: ForumPost | null = null;
    return runMutation(this.em, this.viewer, {
      ...POST_PAYLOAD,
      refused: (userErrors) => ({ post: current, userErrors }),
      operation: hide ? 'hidePost' : 'unhidePost',
      roles: ['ADMIN'],
      what: hide ? 'Hiding a forum post' : 'Showing a hidden forum post',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        current = (await namedInForum<ForumPost>(p, em, this.viewer, ['id'], input.id, ForumPost))?.row ?? null;
        const reason = hide ? (v.text(p, ['reason'], (input as HidePostInput).reason, { max: REASON_MAX, required: true, multiline: true }) ?? '') : null;
        return { id: current?.id ?? 0, reason };
      },
      work: async (w, { id, reason }) => {
        const post = (current = (await readRow(w.tx, ForumPost, id, 'update'))!);
        if (hide && post.hiddenAt) refuse(w, UserErrorCode.INVALID_STATE, ['id'], 'The post is hidden already');
        if (!hide && !post.hiddenAt) refuse(w, UserErrorCode.INVALID_STATE, ['id'], 'The post is not hidden');
        const updated = await updateRow(w.tx, ForumPost, post.id, { hiddenAt: hide ? new Date() : null, hiddenReason: reason, updatedAt: new Date() });
        w.audit({
          entityType: 'ForumPost',
          entityId: post.id,
          action: hide ? 'HIDE' : 'UNHIDE',
          associationCode: await this.codeOf(w, post.association?.id ?? null),
          changes: { hidden: { old: !hide, new: hide }, reason: { old: post.hiddenReason ?? null, new: reason } },
        });
        return { post: updated, userErrors: [] };
      },
    });
  }

  hidePost(input: HidePostInput): Promise<ForumPostPayload> {
    return this.hideOrShow(input, true);
  }

  unhidePost(input: UnhidePostInput): Promise<ForumPostPayload> {
    return this.hideOrShow(input, false);
  }

  lockThread(input: LockThreadInput): Promise<ForumThreadPayload> {
    let current: ForumThread | null = null;
    return runMutation(this.em, this.viewer, {
      ...THREAD_PAYLOAD,
      refused: (userErrors) => ({ thread: current, post: null, userErrors }),
      operation: 'lockThread',
      roles: ['ADMIN'],
      what: 'Locking a forum thread',
      input,
      idempotencyKey: input.idempotencyKey,
      validate: async (p, em) => {
        current = (await namedInForum<ForumThread>(p, em, this.viewer, ['id'], input.id, ForumThread))?.row ?? null;
        return { id: current?.id ?? 0 };
      },
      work: async (w, { id }) => {
        const thread = (current = (await readRow(w.tx, ForumThread, id, 'update'))!);
        const locked = input.locked ?? true;
        if (thread.locked === locked) return { thread, post: null, userErrors: [] };
        const now = new Date();
        const updated = await updateRow(w.tx, ForumThread, thread.id, { locked, lockedAt: locked ? now : null, version: thread.version + 1, updatedAt: now });
        w.audit({ entityType: 'ForumThread', entityId: thread.id, action: 'LOCK', changes: { locked: { old: thread.locked, new: locked } } });
        return { thread: updated, post: null, userErrors: [] };
      },
    });
  }

  // -------------------------------------------------------------- synthesis (ADMIN)

  publishSynthesis(input: PublishSynthesisInput): Promise<ForumSynthesisPayload> {
    let current: ForumSynthesis | null = null;
    let published: number | null = null; // the forum whose synthesis a replay reads again (a synthesis row does not carry its forum's id once hydrated)
    return runMutation(this.em, this.viewer, {
      operation: 'publishSynthesis',
      roles: ['ADMIN'],
      what: "Publishing a forum's synthesis",
      input,
      idempotencyKey: input.idempotencyKey,
      refused: (userErrors): ForumSynthesisPayload => ({ synthesis: current, userErrors }),
      store: (r) => ({ forumId: r.synthesis ? published : null, userErrors: r.userErrors }),
      restore: async (stored, tx) => {
        const s = stored as { forumId: number | null; userErrors: UserError[] };
        return { synthesis: s.forumId === null ? null : await readSynthesis(tx, s.forumId), userErrors: s.userErrors };
      },
      validate: async (p, em) => {
        const forum = await namedForum(p, em, this.viewer, ['forumId'], input.forumId);
        const summary = v.text(p, ['summary'], input.summary, { max: SUMMARY_MAX, required: true, multiline: true }) ?? '';
        const list = input.recommendations ?? [];
        if (!list.length) p.add(UserErrorCode.REQUIRED, ['recommendations'], 'A synthesis has at least one recommendation');
        if (list.length > MAX_RECOMMENDATIONS) p.add(UserErrorCode.TOO_MANY_ROWS, ['recommendations'], `at most ${MAX_RECOMMENDATIONS} recommendations`);
        const recommendations: { number: number; text: string; sectionId: number | null; postIds: number[] }[] = [];
        const cited: { path: Path; id: number }[] = [];
        for (const [k, rec] of list.slice(0, MAX_RECOMMENDATIONS).entries()) {
          const path = ['recommendations', k];
          const text = v.text(p, [...path, 'text'], rec.text, { max: RECOMMENDATION_MAX, required: true, multiline: true }) ?? '';
          const sectionId = await sectionOf(p, em, [...path, 'section'], forum?.document.id ?? null, rec.section);
          const ids = rec.postIds ?? [];
          if (ids.length > MAX_CITATIONS) p.add(UserErrorCode.TOO_MANY_ROWS, [...path, 'postIds'], `at most ${MAX_CITATIONS} cited posts per recommendation`);
          const postIds: number[] = [];
          ids.slice(0, MAX_CITATIONS).forEach((g, j) => {
            const id = v.globalId(p, [...path, 'postIds', j], g, 'ForumPost', UserErrorCode.INVALID);
            if (id === null) return;
            if (postIds.includes(id)) p.add(UserErrorCode.DUPLICATE, [...path, 'postIds', j], 'This post is cited twice in the recommendation');
            else {
              postIds.push(id);
              cited.push({ path: [...path, 'postIds', j], id });
            }
          });
          recommendations.push({ number: k + 1, text, sectionId, postIds });
        }
        if (forum && cited.length) {
          const visible = await this.visiblePosts(em, forum.id, cited.map((c) => c.id));
          for (const c of cited) if (!visible.has(c.id)) p.add(UserErrorCode.INVALID, c.path, 'Not a visible post of this forum: a recommendation cites visible posts of its forum only');
        }
        if (forum) current = await readSynthesis(em, forum.id);
        return { forumId: forum?.id ?? 0, summary, recommendations, cited: cited.map((c) => c.id) };
      },
      work: async (w, { forumId, summary, recommendations, cited }) => {
        const forum = (await readRow(w.tx, Forum, forumId, 'update'))!;
        const status = forumStatusAt(forum);
        if (status !== ForumStatus.CLOSED) refuse(w, UserErrorCode.FORUM_NOT_CLOSED, ['forumId'], `The forum is ${status}: its synthesis is published once it is CLOSED`);
        const old = (current = await readSynthesis(w.tx, forumId, 'update'));
        checkVersion(w, 'synthesis', old?.version ?? 0, input.expectedVersion);
        // A post hidden since validation is no longer citable.
        const visible = await this.visiblePosts(w.tx, forumId, cited);
        if (cited.some((id) => !visible.has(id))) {
          const p = new Problems();
          recommendations.forEach((r, k) => r.postIds.forEach((id, j) => !visible.has(id) && p.add(UserErrorCode.INVALID, ['recommendations', k, 'postIds', j], 'Not a visible post of this forum')));
          w.refuse(p);
        }
        const knex = knexOf(w.tx);
        const now = new Date();
        let oldTexts: string[] = [];
        let synthesisId: number;
        if (old) {
          oldTexts = (await runQuery<{ text: string }>(w.tx, knex('forum_synthesis_recommendation').select('text').where('synthesis_id', old.id).orderBy('number'))).map((r) => r.text);
          await updateRow(w.tx, ForumSynthesis, old.id, { summary, publishedAt: now, version: old.version + 1 });
          await runQuery(w.tx, knex('forum_synthesis_recommendation').where('synthesis_id', old.id).delete());
          synthesisId = old.id;
        } else {
          // Not insertRow: the synthesis's forum is a one-to-one relation, which insertRow does not write.
          const [row] = await runQuery<{ id: number }>(w.tx, knex('forum_synthesis').insert({ forum_id: forumId, summary, published_at: now, version: 1 }).returning('id'));
          synthesisId = Number(row.id);
        }
        const recs = await runQuery<{ id: number; number: number }>(
          w.tx,
          knex('forum_synthesis_recommendation')
            .insert(recommendations.map((r) => ({ synthesis_id: synthesisId, number: r.number, text: r.text, section_id: r.sectionId })))
            .returning(['id', 'number']),
        );
        const idOf = new Map(recs.map((r) => [Number(r.number), Number(r.id)]));
        const citations = recommendations.flatMap((r) => r.postIds.map((postId) => ({ recommendation_id: idOf.get(r.number)!, post_id: postId })));
        if (citations.length) await runQuery(w.tx, knex('forum_synthesis_citation').insert(citations));
        const synthesis = (await readSynthesis(w.tx, forumId))!;
        published = forumId;
        w.audit({
          entityType: 'Forum',
          entityId: forumId,
          action: 'PUBLISH',
          changes: diff(old ? { summary: old.summary, recommendations: oldTexts } : null, { summary, recommendations: recommendations.map((r) => r.text), citations: citations.length }),
        });
        return { synthesis, userErrors: [] };
      },
    });
  }

  /** Of `ids`, the posts of the forum that are not hidden. */
  private async visiblePosts(em: EntityManager, forumId: number, ids: number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = await runQuery<{ id: number }>(
      em,
      knexOf(em)('forum_post').select('id').whereRaw('id = any(?::int[])', [pgArray(ids)]).where('forum_id', forumId).whereNull('hidden_at'),
    );
    return new Set(rows.map((r) => Number(r.id)));
  }

  attachSynthesisToRequest(input: AttachSynthesisToRequestInput): Promise<AttachSynthesisPayload> {
    let attached: number | null = null;
    return runMutation(this.em, this.viewer, {
      operation: 'attachSynthesisToRequest',
      roles: ['ADMIN'],
      what: "Copying a forum's synthesis into its consultation request",
      input,
      idempotencyKey: input.idempotencyKey,
      refused: (userErrors): AttachSynthesisPayload => ({ consultationRequest: null, synthesis: null, userErrors }),
      store: (r) => ({ requestId: r.consultationRequest?.id ?? null, forumId: r.synthesis ? attached : null, userErrors: r.userErrors }),
      restore: async (stored, tx) => {
        const s = stored as { requestId: number | null; forumId: number | null; userErrors: UserError[] };
        return {
          consultationRequest: s.requestId === null ? null : await readRow(tx, ConsultationRequest, s.requestId),
          synthesis: s.forumId === null ? null : await readSynthesis(tx, s.forumId),
          userErrors: s.userErrors,
        };
      },
      validate: async (p, em) => {
        const forum = await namedForum(p, em, this.viewer, ['forumId'], input.forumId);
        return { forumId: forum?.id ?? 0 };
      },
      work: async (w, { forumId }) => {
        const forum = (await readRow(w.tx, Forum, forumId, 'share'))!;
        const synthesis = await readSynthesis(w.tx, forumId, 'update');
        if (!synthesis) refuse(w, UserErrorCode.SYNTHESIS_REQUIRED, ['forumId'], 'The forum has no published synthesis: publish it (publishSynthesis) first');
        if (!forum.consultationRequest) refuse(w, UserErrorCode.SYNTHESIS_REQUIRED, ['forumId'], 'The forum feeds no consultation request: link one (updateForum consultationRequestId) first');
        const request = (await readRow(w.tx, ConsultationRequest, forum.consultationRequest.id, 'update'))!;
        if (!DRAFT_REPORT.includes(request.status))
          refuse(w, UserErrorCode.INVALID_STATE, ['forumId'], `The consultation request is ${request.status}: its report is a draft only in ${DRAFT_REPORT.join(', ')}`);
        const knex = knexOf(w.tx);
        const recs = await runQuery<{ text: string; section_id: number | null }>(
          w.tx,
          knex('forum_synthesis_recommendation').select('text', 'section_id').where('synthesis_id', synthesis.id).orderBy('number'),
        );
        // A section is kept only where it is one of the request's documents' (a report's recommendations point there).
        const sections = new Set(
          (
            await runQuery<{ id: number }>(
              w.tx,
              knex('policy_document_section as s').join('consultation_request_document as d', 'd.document_id', 's.document_id').select('s.id').where('d.request_id', request.id),
            )
          ).map((r) => Number(r.id)),
        );
        // Attaching again replaces this forum's earlier copies; the others close ranks (numbers stay 1..n).
        const removed = await runQuery<{ id: number }>(w.tx, knex('consultation_recommendation').where({ request_id: request.id, source_forum_id: forumId }).delete().returning('id'));
        if (removed.length) {
          await runQuery(
            w.tx,
            knex.raw(
              `update consultation_recommendation r set number = -x.rn
               from (select id, row_number() over (order by number, id) as rn from consultation_recommendation where request_id = ?) x where r.id = x.id`,
              [request.id],
            ),
          );
          await runQuery(w.tx, knex.raw('update consultation_recommendation set number = -number where request_id = ?', [request.id]));
        }
        const [{ last }] = await runQuery<{ last: number }>(w.tx, knex.raw('select coalesce(max(number), 0)::int as last from consultation_recommendation where request_id = ?', [request.id]));
        const [report] = await runQuery(w.tx, knex('consultation_report').select('id').where('request_id', request.id));
        if (!report) await runQuery(w.tx, knex('consultation_report').insert({ request_id: request.id, summary: synthesis.summary }));
        if (recs.length) {
          await runQuery(
            w.tx,
            knex('consultation_recommendation').insert(
              recs.map((r, k) => ({
                request_id: request.id,
                number: Number(last) + k + 1,
                text: r.text,
                section_id: r.section_id !== null && sections.has(Number(r.section_id)) ? r.section_id : null,
                source_forum_id: forumId,
              })),
            ),
          );
        }
        const now = new Date();
        await updateRow(w.tx, ForumSynthesis, synthesis.id, { attachedAt: now });
        const updated = await updateRow(w.tx, ConsultationRequest, request.id, { version: request.version + 1, updatedAt: now });
        const changes = {
          consultationRequestId: { old: null, new: request.id },
          forumId: { old: null, new: forumId },
          recommendations: { old: removed.length, new: recs.length },
          ...(report ? {} : { reportCreated: { old: false, new: true } }),
        };
        // Recorded on both: the forum's trail shows where its synthesis went, the request's what changed its report.
        w.audit(
          { entityType: 'Forum', entityId: forumId, action: 'SYNTHESIS_ATTACHED', changes },
          { entityType: 'ConsultationRequest', entityId: request.id, action: 'SYNTHESIS_ATTACHED', changes },
        );
        attached = forumId;
        return { consultationRequest: updated, synthesis: (await readSynthesis(w.tx, forumId))!, userErrors: [] };
      },
    });
  }
}
