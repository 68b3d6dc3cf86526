import { Field, Int, ObjectType } from 'type-graphql';
import { ConnectionType, SortSpec } from '../../common/pagination';
import { CongressDelegate } from './governance.entity';

export const CongressDelegateConnection = ConnectionType('CongressDelegate', CongressDelegate, 'delegate');

/** A congress's delegates, in the order they were recorded (alias `d`). */
export const DELEGATE_SORT: SortSpec = { key: 'cd', direction: 'asc', columns: [{ column: 'id', type: 'int', sql: 'd.id' }] };

/** Delegates of a congress per association and kind (Congress.delegateCounts); `association` is resolved by id. */
@ObjectType('CongressDelegateCount', { description: 'How many delegates of a congress represent one association, by kind.' })
export class CongressDelegateCount {
  /** The association's id (null: delegates representing no association). */
  associationId!: number | null;

  @Field(() => Int, { description: 'Elected delegates.' })
  elected!: number;

  @Field(() => Int, { description: 'Delegates by office.' })
  exOfficio!: number;

  @Field(() => Int, { description: 'Invited delegates.' })
  invited!: number;

  @Field(() => Int, { description: 'All delegates of the association at the congress.' })
  total!: number;
}
