import { registerEnumType } from 'type-graphql';

export enum DelegateKind {
  ELECTED = 'ELECTED',
  EX_OFFICIO = 'EX_OFFICIO',
  INVITED = 'INVITED',
}
registerEnumType(DelegateKind, {
  name: 'DelegateKind',
  description: 'How a delegate came to a congress (đại biểu).',
  valuesConfig: {
    ELECTED: { description: 'Elected by the member association it represents (đại biểu bầu).' },
    EX_OFFICIO: { description: 'A delegate by office, e.g. a member of the outgoing Executive Committee (đại biểu đương nhiên).' },
    INVITED: { description: 'Invited by the organisers (đại biểu mời); usually without a vote.' },
  },
});

export enum GoverningBodyKind {
  EXECUTIVE_COMMITTEE = 'EXECUTIVE_COMMITTEE',
  STANDING_COMMITTEE = 'STANDING_COMMITTEE',
  STANDING_BOARD = 'STANDING_BOARD',
  INSPECTION_COMMITTEE = 'INSPECTION_COMMITTEE',
}
registerEnumType(GoverningBodyKind, {
  name: 'GoverningBodyKind',
  description: 'The governing bodies of a federation in one term. Every term has one of each.',
  valuesConfig: {
    EXECUTIVE_COMMITTEE: { description: 'Ban Chấp hành: elected by the congress; one representative of every member association plus nominated scientists and managers.' },
    STANDING_COMMITTEE: { description: 'Ban Thường vụ: elected by the Executive Committee from its own members.' },
    STANDING_BOARD: { description: 'Ban Thường trực: the President, Vice Presidents, Secretary General and Chief of Office; runs things between meetings.' },
    INSPECTION_COMMITTEE: { description: 'Ủy ban Kiểm tra: elected by the Executive Committee, led by its Chair.' },
  },
});

export enum Office {
  PRESIDENT = 'PRESIDENT',
  VICE_PRESIDENT = 'VICE_PRESIDENT',
  SECRETARY_GENERAL = 'SECRETARY_GENERAL',
  CHIEF_OF_OFFICE = 'CHIEF_OF_OFFICE',
  INSPECTION_CHAIR = 'INSPECTION_CHAIR',
  MEMBER = 'MEMBER',
}
registerEnumType(Office, {
  name: 'Office',
  description:
    'An office in a federation governing body, held by a person for a term. These are federation offices, not roles in an association (MembershipRole).',
  valuesConfig: {
    PRESIDENT: { description: 'Chủ tịch. One at a time per federation.' },
    VICE_PRESIDENT: { description: 'Phó Chủ tịch.' },
    SECRETARY_GENERAL: { description: 'Tổng Thư ký. One at a time per federation.' },
    CHIEF_OF_OFFICE: { description: 'Chánh Văn phòng (Standing Board only). One at a time per federation.' },
    INSPECTION_CHAIR: { description: 'Chủ nhiệm Ủy ban Kiểm tra (Inspection Committee only). One at a time per federation.' },
    MEMBER: { description: 'Ủy viên: a member of the body without a named office.' },
  },
});

export enum SeatFilledBy {
  ELECTED_BY_CONGRESS = 'ELECTED_BY_CONGRESS',
  ELECTED_BY_BODY = 'ELECTED_BY_BODY',
  APPOINTED = 'APPOINTED',
}
registerEnumType(SeatFilledBy, {
  name: 'SeatFilledBy',
  description: 'How a seat was filled.',
  valuesConfig: {
    ELECTED_BY_CONGRESS: { description: "Elected by the term's congress." },
    ELECTED_BY_BODY: { description: 'Elected by another body of the same term (electedBy), e.g. the Standing Committee by the Executive Committee.' },
    APPOINTED: { description: 'Appointed or recognised by a decision (decision: number and date), e.g. a replacement during the term.' },
  },
});

export enum SeatEndReason {
  TERM_ENDED = 'TERM_ENDED',
  RESIGNED = 'RESIGNED',
  REPLACED = 'REPLACED',
  RETIRED = 'RETIRED',
  DECEASED = 'DECEASED',
  DISMISSED = 'DISMISSED',
  FEDERATION_MERGED = 'FEDERATION_MERGED',
  OTHER = 'OTHER',
}
registerEnumType(SeatEndReason, {
  name: 'SeatEndReason',
  description: 'Why a seat ended before or at the end of its term.',
  valuesConfig: {
    TERM_ENDED: { description: 'The term ended.' },
    RESIGNED: { description: 'The holder resigned.' },
    REPLACED: { description: 'Replaced by another person (e.g. the association changed its representative).' },
    RETIRED: { description: 'The holder retired from the post that came with the seat.' },
    DECEASED: { description: 'The holder died.' },
    DISMISSED: { description: 'Removed by decision.' },
    FEDERATION_MERGED: { description: 'The federation merged into another (mergeFederation ended its open seats).' },
    OTHER: { description: 'Another reason (see endNote).' },
  },
});

/** Offices one person at a time holds per federation (rule OFFICE_TAKEN). */
export const SINGLE_HOLDER_OFFICES: ReadonlySet<Office> = new Set([Office.PRESIDENT, Office.SECRETARY_GENERAL, Office.CHIEF_OF_OFFICE, Office.INSPECTION_CHAIR]);

/** The offices a seat of each body may have (rule INVALID_OFFICE). */
export const OFFICES_OF_BODY: Readonly<Record<GoverningBodyKind, ReadonlySet<Office>>> = {
  [GoverningBodyKind.EXECUTIVE_COMMITTEE]: new Set([Office.PRESIDENT, Office.VICE_PRESIDENT, Office.SECRETARY_GENERAL, Office.MEMBER]),
  [GoverningBodyKind.STANDING_COMMITTEE]: new Set([Office.PRESIDENT, Office.VICE_PRESIDENT, Office.SECRETARY_GENERAL, Office.MEMBER]),
  [GoverningBodyKind.STANDING_BOARD]: new Set([Office.PRESIDENT, Office.VICE_PRESIDENT, Office.SECRETARY_GENERAL, Office.CHIEF_OF_OFFICE]),
  [GoverningBodyKind.INSPECTION_COMMITTEE]: new Set([Office.INSPECTION_CHAIR, Office.MEMBER]),
};
