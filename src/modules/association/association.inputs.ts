import { ArgsType, Field, InputType } from 'type-graphql';
import { MaxChars } from '../../common/arg-rules';
import { PageArgs } from '../../common/pagination';
import { AssociationStatus } from './association.enums';
import { AssociationOrder } from './association.types';

@InputType('AssociationFilter', { description: 'Conditions an association must meet; omitted ones do not filter.' })
export class AssociationFilter {
  @Field(() => String, {
    nullable: true,
    description: 'Case- and diacritic-insensitive search in the name ("nguyen van duc" finds "Nguyễn Văn Đức"), 2 to 100 characters. When given, results are ranked by similarity.',
  })
  @MaxChars(100)
  search?: string | null;

  @Field(() => String, { nullable: true, description: 'Field of activity code (OECD FOS 2007); a major field ("3") also matches its subfields ("3.2").' })
  @MaxChars(8)
  field?: string | null;

  @Field(() => AssociationStatus, { nullable: true, description: 'Only associations with this status.' })
  status?: AssociationStatus | null;

  @Field(() => String, { nullable: true, description: 'Only members of the federation with this code.' })
  @MaxChars(64)
  federationCode?: string | null;
}

@ArgsType()
export class AssociationsArgs extends PageArgs {
  @Field(() => AssociationFilter, { nullable: true, description: 'Conditions on the associations.' })
  filter?: AssociationFilter | null;

  @Field(() => AssociationOrder, { defaultValue: AssociationOrder.NAME, description: 'Order of the list (default NAME).' })
  orderBy: AssociationOrder = AssociationOrder.NAME;
}
