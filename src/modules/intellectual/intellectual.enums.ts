import { registerEnumType } from 'type-graphql';

export enum Gender {
  FEMALE = 'FEMALE',
  MALE = 'MALE',
  OTHER = 'OTHER',
  UNDISCLOSED = 'UNDISCLOSED',
}
registerEnumType(Gender, {
  name: 'Gender',
  description: 'Gender as the person gave it.',
  valuesConfig: {
    FEMALE: { description: 'Female (nữ).' },
    MALE: { description: 'Male (nam).' },
    OTHER: { description: 'Another gender.' },
    UNDISCLOSED: { description: 'Not given.' },
  },
});

export enum AcademicTitle {
  GS = 'GS',
  PGS = 'PGS',
  NONE = 'NONE',
}
registerEnumType(AcademicTitle, {
  name: 'AcademicTitle',
  description: 'Academic title conferred by the State Council for Professorship.',
  valuesConfig: {
    GS: { description: 'Giáo sư (Professor).' },
    PGS: { description: 'Phó Giáo sư (Associate Professor).' },
    NONE: { description: 'No academic title.' },
  },
});

export enum Degree {
  TSKH = 'TSKH',
  TS = 'TS',
  THS = 'THS',
  CKII = 'CKII',
  CKI = 'CKI',
  BS = 'BS',
  DS = 'DS',
  KS = 'KS',
  CN = 'CN',
  OTHER = 'OTHER',
}
registerEnumType(Degree, {
  name: 'Degree',
  description: 'Highest degree held.',
  valuesConfig: {
    TSKH: { description: 'Tiến sĩ khoa học (Doctor of Science).' },
    TS: { description: 'Tiến sĩ (PhD).' },
    THS: { description: 'Thạc sĩ (Master).' },
    CKII: { description: 'Bác sĩ/Dược sĩ chuyên khoa II (specialist level II, medicine or pharmacy).' },
    CKI: { description: 'Bác sĩ/Dược sĩ chuyên khoa I (specialist level I, medicine or pharmacy).' },
    BS: { description: 'Bác sĩ (Medical doctor).' },
    DS: { description: 'Dược sĩ (Pharmacist).' },
    KS: { description: 'Kỹ sư (Engineer).' },
    CN: { description: 'Cử nhân (Bachelor).' },
    OTHER: { description: 'Another degree, or none.' },
  },
});

export enum MembershipStatus {
  ACTIVE = 'ACTIVE',
  LAPSED = 'LAPSED',
  ENDED = 'ENDED',
}
registerEnumType(MembershipStatus, {
  name: 'MembershipStatus',
  description: 'Standing of a membership.',
  valuesConfig: {
    ACTIVE: { description: 'A current member.' },
    LAPSED: { description: 'Still on the roll but not in good standing (e.g. dues unpaid).' },
    ENDED: { description: 'Membership ended (left on `leftOn`); kept for history.' },
  },
});

export enum MembershipRole {
  MEMBER = 'MEMBER',
  EXECUTIVE = 'EXECUTIVE',
  PRESIDENT = 'PRESIDENT',
  VICE_PRESIDENT = 'VICE_PRESIDENT',
  SECRETARY_GENERAL = 'SECRETARY_GENERAL',
  HONORARY = 'HONORARY',
}
registerEnumType(MembershipRole, {
  name: 'MembershipRole',
  description: "A member's role in the association.",
  valuesConfig: {
    MEMBER: { description: 'Hội viên (member).' },
    EXECUTIVE: { description: 'Ủy viên Ban Chấp hành (Executive Committee member).' },
    PRESIDENT: { description: 'Chủ tịch (President).' },
    VICE_PRESIDENT: { description: 'Phó Chủ tịch (Vice President).' },
    SECRETARY_GENERAL: { description: 'Tổng Thư ký (Secretary General).' },
    HONORARY: { description: 'Hội viên danh dự (honorary member).' },
  },
});
