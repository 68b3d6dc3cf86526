import { Arg, Query, Resolver } from 'type-graphql';
import { FIELDS, fieldByCode } from './field.data';
import { ScienceField } from './field.types';

@Resolver(() => ScienceField)
export class FieldResolver {
  @Query(() => [ScienceField], { description: 'The whole list of fields of science and technology (OECD FOS 2007, two levels), in code order.' })
  scienceFields(): ScienceField[] {
    return FIELDS.map(ScienceField.fromDef);
  }

  @Query(() => ScienceField, { nullable: true, description: 'One field of science and technology by its code; null when no such code exists.' })
  scienceField(@Arg('code', () => String, { description: 'OECD FOS code, e.g. "2.3".' }) code: string): ScienceField | null {
    const def = fieldByCode(code);
    return def ? ScienceField.fromDef(def) : null;
  }
}
