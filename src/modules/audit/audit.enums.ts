import { registerEnumType } from 'type-graphql';

/**
 * What a write did. The values are the strings stored in `audit_event.action` (and written by
 * the services), so rows recorded before these enums existed read back unchanged.
 */
export enum AuditAction {
  CREATE = 'CREATE',
  UPDATE = 'UPDATE',
  END = 'END',
  REACTIVATE = 'REACTIVATE',
  STATUS = 'STATUS',
}
registerEnumType(AuditAction, {
  name: 'AuditAction',
  description: 'What a recorded write did to its entity.',
  valuesConfig: {
    CREATE: { description: 'Created it (changes hold every field it was given: old null → new).' },
    UPDATE: { description: 'Changed some of its fields.' },
    END: { description: 'Ended a membership (endMemberships): status, leftOn and endReason.' },
    REACTIVATE: { description: 'Made an ended membership active again (it was pushed again by upsertMembers).' },
    STATUS: { description: "Changed an association's status (setAssociationStatus), with the reason given." },
  },
});

/**
 * The kind of entity a write concerned. GraphQL names are SCREAMING_SNAKE_CASE; the TypeScript
 * values are the type names stored in `audit_event.entity_type` (and in global ids).
 */
export enum AuditEntityType {
  FEDERATION = 'Federation',
  ASSOCIATION = 'Association',
  INTELLECTUAL = 'Intellectual',
  MEMBERSHIP = 'Membership',
}
registerEnumType(AuditEntityType, {
  name: 'AuditEntityType',
  description: 'The kind of entity a recorded write concerned.',
  valuesConfig: {
    FEDERATION: { description: 'A federation (`Federation`).' },
    ASSOCIATION: { description: 'A member association (`Association`).' },
    INTELLECTUAL: { description: 'A person (`Intellectual`).' },
    MEMBERSHIP: { description: 'A membership of a person in an association (`Membership`).' },
  },
});
