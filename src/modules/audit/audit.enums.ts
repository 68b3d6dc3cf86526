import { registerEnumType } from 'type-graphql';

/**
 * The audit vocabulary, assembled from the modules (each lists the entity types and actions it
 * records, `audit` in its `<name>.module.ts`): src/modules/index.ts fills these enums before the
 * schema is built. The values are the strings stored in `audit_event` (entity types are the type
 * names of global ids), so rows recorded before these enums existed read back unchanged.
 */
export const AuditAction: Record<string, string> = {};
export const AuditEntityType: Record<string, string> = {};

const actionDescriptions: Record<string, { description: string }> = {};
const entityTypeDescriptions: Record<string, { description: string }> = {};

registerEnumType(AuditAction, { name: 'AuditAction', description: 'What a recorded write did to its entity.', valuesConfig: actionDescriptions });
registerEnumType(AuditEntityType, { name: 'AuditEntityType', description: 'The kind of entity a recorded write concerned.', valuesConfig: entityTypeDescriptions });

/** `ConsultationRequest` → `CONSULTATION_REQUEST`: the GraphQL name of a stored value. */
export const enumName = (value: string) => value.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** Fills the enums from the modules' vocabularies (stored value → description). */
export function defineAuditVocabulary(entityTypes: Map<string, string>, actions: Map<string, string>): void {
  for (const [value, description] of entityTypes) {
    AuditEntityType[enumName(value)] = value;
    entityTypeDescriptions[enumName(value)] = { description };
  }
  for (const [value, description] of actions) {
    AuditAction[enumName(value)] = value;
    actionDescriptions[enumName(value)] = { description };
  }
}

export const isAuditEntityType = (value: string) => Object.values(AuditEntityType).includes(value);
export const isAuditAction = (value: string) => Object.values(AuditAction).includes(value);
