import { registerEnumType } from 'type-graphql';
import { ConnectionType, SortSpec, VI_COLLATION } from '../../common/pagination';
import { Association } from './association.entity';

export const AssociationConnection = ConnectionType('Association', Association, 'association');

export enum AssociationOrder {
  NAME = 'NAME',
  CODE = 'CODE',
}
registerEnumType(AssociationOrder, {
  name: 'AssociationOrder',
  description: 'Orders for association lists; every order is stable (ties broken by id).',
  valuesConfig: {
    NAME: { description: 'By Vietnamese name, in Vietnamese alphabetical order.' },
    CODE: { description: 'By code, A to Z.' },
  },
});

export const ASSOCIATION_SORTS: Record<AssociationOrder, SortSpec> = {
  NAME: { key: 'an', direction: 'asc', columns: [{ column: 'name', type: 'text', sql: 'a.name', collate: VI_COLLATION }, { column: 'id', type: 'int', sql: 'a.id' }] },
  CODE: { key: 'ac', direction: 'asc', columns: [{ column: 'code', type: 'text', sql: 'a.code', collate: 'C' }, { column: 'id', type: 'int', sql: 'a.id' }] },
};
