import { Field, ObjectType, registerEnumType } from 'type-graphql';

/** Problems a caller can fix, returned in mutation payloads (nothing is written when there is one). */
export enum UserErrorCode {
  REQUIRED = 'REQUIRED',
  INVALID = 'INVALID',
  TOO_LONG = 'TOO_LONG',
  INVALID_EMAIL = 'INVALID_EMAIL',
  INVALID_PHONE = 'INVALID_PHONE',
  INVALID_URL = 'INVALID_URL',
  INVALID_DATE = 'INVALID_DATE',
  FUTURE_DATE = 'FUTURE_DATE',
  UNKNOWN_ENUM_VALUE = 'UNKNOWN_ENUM_VALUE',
  UNKNOWN_FIELD_CODE = 'UNKNOWN_FIELD_CODE',
  DUPLICATE = 'DUPLICATE',
  TOO_MANY_ROWS = 'TOO_MANY_ROWS',
  NOT_FOUND = 'NOT_FOUND',
  ALREADY_EXISTS = 'ALREADY_EXISTS',
  CONFLICT = 'CONFLICT',
  INVALID_STATE = 'INVALID_STATE',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  PERSON_SHARED = 'PERSON_SHARED',
  MEMBERSHIP_ENDED = 'MEMBERSHIP_ENDED',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  PANEL_INCOMPLETE = 'PANEL_INCOMPLETE',
  DOCUMENT_REQUIRED = 'DOCUMENT_REQUIRED',
  REPORT_REQUIRED = 'REPORT_REQUIRED',
  RESPONSE_REQUIRED = 'RESPONSE_REQUIRED',
  NOTE_REQUIRED = 'NOTE_REQUIRED',
  CONFLICT_OF_INTEREST = 'CONFLICT_OF_INTEREST',
  REVIEW_CLOSED = 'REVIEW_CLOSED',
  NOT_A_MEMBER = 'NOT_A_MEMBER',
  NOT_ON_PANEL = 'NOT_ON_PANEL',
  FORUM_CLOSED = 'FORUM_CLOSED',
  THREAD_LOCKED = 'THREAD_LOCKED',
  EDIT_WINDOW_CLOSED = 'EDIT_WINDOW_CLOSED',
  FORUM_NOT_CLOSED = 'FORUM_NOT_CLOSED',
  SYNTHESIS_REQUIRED = 'SYNTHESIS_REQUIRED',
  NOT_ON_EXECUTIVE_COMMITTEE = 'NOT_ON_EXECUTIVE_COMMITTEE',
  OFFICE_TAKEN = 'OFFICE_TAKEN',
  INVALID_OFFICE = 'INVALID_OFFICE',
  OUTSIDE_TERM = 'OUTSIDE_TERM',
  TERMS_OVERLAP = 'TERMS_OVERLAP',
}
registerEnumType(UserErrorCode, {
  name: 'UserErrorCode',
  description: 'Why a mutation refused its input. Whenever a payload carries a user error, the mutation wrote nothing.',
  valuesConfig: {
    REQUIRED: { description: 'A required value is missing or empty.' },
    INVALID: { description: 'The value is malformed.' },
    TOO_LONG: { description: 'The value is longer than allowed.' },
    INVALID_EMAIL: { description: 'Not an e-mail address.' },
    INVALID_PHONE: { description: 'Not a telephone number (8 to 15 digits, optionally with +, spaces, dots, dashes or parentheses).' },
    INVALID_URL: { description: 'Not an http(s) URL.' },
    INVALID_DATE: { description: 'Not a calendar date written YYYY-MM-DD, or out of order with another date.' },
    FUTURE_DATE: { description: 'A date that cannot be in the future is (today is taken in Vietnam, UTC+7).' },
    UNKNOWN_ENUM_VALUE: { description: 'Not one of the allowed values (listed in the message).' },
    UNKNOWN_FIELD_CODE: { description: 'Not an OECD FOS 2007 field code; see the scienceFields query.' },
    DUPLICATE: { description: 'The same key appears twice in one call.' },
    TOO_MANY_ROWS: { description: 'More rows than one call may carry.' },
    NOT_FOUND: { description: 'A referenced record does not exist.' },
    ALREADY_EXISTS: { description: 'A record with this code exists already.' },
    CONFLICT: { description: 'The record changed since the caller read it (stale expectedVersion); the payload carries it as it is now.' },
    INVALID_STATE: { description: 'The change is not allowed from the current state.' },
    IDEMPOTENCY_KEY_REUSED: { description: 'This idempotency key was used in the last 24 hours with a different input.' },
    PERSON_SHARED: {
      description:
        "The person also belongs to another association: one association's key cannot change their name, contact, birth date, degree, title, fields, workplace or position, nor switch their public profile on (switching it off is allowed). ADMIN can.",
    },
    MEMBERSHIP_ENDED: {
      description: 'The membership has ended: pushing the member again re-admits them only with a joinedOn after the day they left.',
    },
    INVALID_TRANSITION: { description: 'The record (a consultation request, a forum) cannot move from its status to the one asked for; the message names the allowed next statuses.' },
    PANEL_INCOMPLETE: { description: 'The review panel has no chair: a request moves to PANEL_FORMED only with one.' },
    DOCUMENT_REQUIRED: { description: 'The request has no document under review: it moves to IN_REVIEW only with one.' },
    REPORT_REQUIRED: { description: 'The request has no final report: it moves to REPORT_SUBMITTED only with one (submitReport).' },
    RESPONSE_REQUIRED: { description: "The agency's response is not recorded: the request moves to RESPONSE_RECEIVED only with it (recordAgencyResponse)." },
    NOTE_REQUIRED: { description: 'This move (declining, withdrawing, closing without a response) needs a note saying why.' },
    CONFLICT_OF_INTEREST: { description: 'The person declared a conflict of interest on this request: they cannot sit on its review panel.' },
    REVIEW_CLOSED: { description: 'Opinions are taken only while the request is IN_REVIEW.' },
    NOT_A_MEMBER: { description: "The person is not a current (not ended) member of the key's association." },
    NOT_ON_PANEL: { description: "The person does not sit on the request's review panel." },
    FORUM_CLOSED: { description: 'The forum is not OPEN (still DRAFT, CLOSED or ARCHIVED): it takes no threads, posts, edits or reactions.' },
    THREAD_LOCKED: { description: 'The thread is locked: it takes no more posts, edits or reactions.' },
    EDIT_WINDOW_CLOSED: { description: 'The post is older than the edit window (FORUM_EDIT_WINDOW_MINUTES, 1440 by default): it can no longer be edited.' },
    FORUM_NOT_CLOSED: { description: 'A synthesis is published only once the forum is CLOSED.' },
    SYNTHESIS_REQUIRED: { description: 'The forum has no published synthesis (publishSynthesis), or no linked consultation request, to copy.' },
    NOT_ON_EXECUTIVE_COMMITTEE: {
      description: 'A Standing Committee seat needs an Executive Committee seat of the same person in the same term, held on the Standing Committee seat\'s first day.',
    },
    OFFICE_TAKEN: {
      description: 'The office (President, Secretary General, Chief of Office, Inspection Chair: one holder at a time per federation) is held by another person on at least one of the seat\'s days.',
    },
    INVALID_OFFICE: {
      description: 'The body has no such office (the Standing Board is exactly the President, Vice Presidents, Secretary General and Chief of Office; the Inspection Committee its Chair and members).',
    },
    OUTSIDE_TERM: { description: "The seat's dates do not lie inside its term, or it would end before it starts." },
    TERMS_OVERLAP: { description: 'Another term of the same federation shares at least one day with this one: terms of a federation never overlap.' },
  },
});

@ObjectType('UserError', { description: 'A problem with the input that the caller can fix.' })
export class UserError {
  @Field(() => UserErrorCode, { description: 'What is wrong.' })
  code!: UserErrorCode;

  @Field(() => [String], { description: 'Path to the offending input value, e.g. ["members", "17", "email"] (indexes as strings).' })
  field!: string[];

  @Field(() => String, { description: 'Human-readable explanation.' })
  message!: string;
}

/** Collects user errors while validating; `field` paths are kept as given and turned into strings. */
export class Problems {
  readonly list: UserError[] = [];

  add(code: UserErrorCode, field: (string | number)[], message: string): void {
    this.list.push(Object.assign(new UserError(), { code, field: field.map(String), message }));
  }

  get any(): boolean {
    return this.list.length > 0;
  }
}
