import { ArgsType, Field, InputType } from 'type-graphql';
import { MaxChars } from '../../common/arg-rules';
import { PageArgs } from '../../common/pagination';
import { FederationLevel, FederationStatus } from './federation.enums';
import { FederationOrder } from './federation.types';

@InputType('FederationFilter', { description: 'Conditions a federation must meet; omitted ones do not filter.' })
export class FederationFilter {
  @Field(() => String, {
    nullable: true,
    description: 'Case- and diacritic-insensitive search in the name ("nguyen van duc" finds "Nguyễn Văn Đức"), 2 to 100 characters. When given, results are ranked by similarity.',
  })
  @MaxChars(100)
  search?: string | null;

  @Field(() => FederationLevel, { nullable: true, description: 'Only national or only provincial unions.' })
  level?: FederationLevel | null;

  @Field(() => FederationStatus, { nullable: true, description: 'Only federations with this status.' })
  status?: FederationStatus | null;

  @Field(() => String, { nullable: true, description: 'Only member federations of the federation with this code.' })
  @MaxChars(64)
  parentCode?: string | null;
}

@ArgsType()
export class FederationsArgs extends PageArgs {
  @Field(() => FederationFilter, { nullable: true, description: 'Conditions on the federations.' })
  filter?: FederationFilter | null;

  @Field(() => FederationOrder, { defaultValue: FederationOrder.CODE, description: 'Order of the list (default CODE).' })
  orderBy: FederationOrder = FederationOrder.CODE;
}

@ArgsType()
export class MemberFederationsArgs extends PageArgs {
  @Field(() => FederationOrder, { defaultValue: FederationOrder.NAME, description: 'Order of the list (default NAME).' })
  orderBy: FederationOrder = FederationOrder.NAME;
}
