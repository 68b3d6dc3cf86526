import { registerEnumType } from 'type-graphql';
import { ConnectionType, SortSpec, VI_COLLATION } from '../../common/pagination';
import { Federation } from './federation.entity';

export const FederationConnection = ConnectionType('Federation', Federation, 'federation');

export enum FederationOrder {
  CODE = 'CODE',
  NAME = 'NAME',
}
registerEnumType(FederationOrder, {
  name: 'FederationOrder',
  description: 'Orders for federation lists; every order is stable (ties broken by id).',
  valuesConfig: {
    CODE: { description: 'By code, A to Z.' },
    NAME: { description: 'By Vietnamese name, in Vietnamese alphabetical order.' },
  },
});

export const FEDERATION_SORTS: Record<FederationOrder, SortSpec> = {
  CODE: { key: 'fc', direction: 'asc', columns: [{ column: 'code', type: 'text', sql: 'f.code', collate: 'C' }, { column: 'id', type: 'int', sql: 'f.id' }] },
  NAME: { key: 'fn', direction: 'asc', columns: [{ column: 'name', type: 'text', sql: 'f.name', collate: VI_COLLATION }, { column: 'id', type: 'int', sql: 'f.id' }] },
};
