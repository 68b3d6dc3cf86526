import { Field, ObjectType, registerEnumType } from 'type-graphql';

export enum KeyRole {
  ADMIN = 'ADMIN',
  ANALYST = 'ANALYST',
  ASSOCIATION = 'ASSOCIATION',
}
registerEnumType(KeyRole, {
  name: 'KeyRole',
  description: 'What an API key may do.',
  valuesConfig: {
    ADMIN: { description: 'Reads everything, the audit log included; writes everything.' },
    ANALYST: { description: 'Reads everything except personal data and keys; writes nothing.' },
    ASSOCIATION: { description: 'Bound to one association: reads as the public does plus all of its own members with their personal data; writes only its own association and memberships.' },
  },
});

@ObjectType('ViewerInfo', { description: 'The caller, as the API key it sent identifies it.' })
export class ViewerInfo {
  @Field(() => KeyRole, { description: "The key's role." })
  role!: KeyRole;

  @Field(() => String, { description: "The key's label, as given when it was created." })
  keyLabel!: string;

  /** Resolved by the association module's loader. */
  associationId!: number | null;
}
