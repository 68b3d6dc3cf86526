import { registerEnumType } from 'type-graphql';

export enum AssociationStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
  DISSOLVED = 'DISSOLVED',
}
registerEnumType(AssociationStatus, {
  name: 'AssociationStatus',
  description: "An association's standing in its federation.",
  valuesConfig: {
    ACTIVE: { description: 'A working member association.' },
    SUSPENDED: { description: 'Membership suspended; its data stays readable.' },
    DISSOLVED: { description: 'Dissolved; kept for history.' },
  },
});
