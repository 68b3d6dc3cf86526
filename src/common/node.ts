import { Field, ID, InterfaceType } from 'type-graphql';
import { toGlobalId } from './node-id';

/**
 * Relay's Node: every entity has an opaque global id and can be fetched with `node(id:)`.
 * Entities extend this class; their numeric primary key stays internal.
 */
@InterfaceType('Node', {
  description: 'An object with a global id, which `node(id:)` fetches again.',
  resolveType: (value: object) => value.constructor.name,
})
export abstract class Node {
  abstract id: number;

  @Field(() => ID, { name: 'id', description: 'Opaque global id of the object; pass it to `node(id:)`.' })
  get globalId(): string {
    return toGlobalId(this.constructor.name, this.id);
  }
}
