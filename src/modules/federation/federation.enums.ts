import { registerEnumType } from 'type-graphql';

export enum FederationLevel {
  NATIONAL = 'NATIONAL',
  PROVINCIAL = 'PROVINCIAL',
}
registerEnumType(FederationLevel, {
  name: 'FederationLevel',
  description: 'Where a federation works.',
  valuesConfig: {
    NATIONAL: { description: 'The national union (VUSTA, Liên hiệp các Hội KH&KT Việt Nam).' },
    PROVINCIAL: { description: 'A union of a province or centrally-governed city (Liên hiệp các Hội KH&KT tỉnh/thành phố).' },
  },
});

export enum FederationStatus {
  ACTIVE = 'ACTIVE',
  MERGED = 'MERGED',
  DISSOLVED = 'DISSOLVED',
}
registerEnumType(FederationStatus, {
  name: 'FederationStatus',
  description: 'Whether a federation still exists on its own.',
  valuesConfig: {
    ACTIVE: { description: 'Working.' },
    MERGED: { description: 'Merged into its successor (e.g. in the 2025 merger of provinces); its history stays readable.' },
    DISSOLVED: { description: 'Dissolved without a successor.' },
  },
});
