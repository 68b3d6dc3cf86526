import { ArgsType, Field } from 'type-graphql';
import { MaxChars } from '../../common/arg-rules';
import { PageArgs } from '../../common/pagination';
import { LocalDateScalar } from '../../common/scalars';
import { DelegateKind, GoverningBodyKind, Office } from './governance.enums';

@ArgsType()
export class CongressDelegatesArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Only delegates representing the association with this code, e.g. "ST-YHOC".' })
  @MaxChars(64)
  associationCode?: string | null;

  @Field(() => DelegateKind, { nullable: true, description: 'Only delegates of this kind.' })
  kind?: DelegateKind | null;
}

@ArgsType()
export class BodySeatsArgs {
  @Field(() => LocalDateScalar, { nullable: true, description: 'Only seats held on this date; every seat of the body (past ones included) when omitted.' })
  on?: string | null;

  @Field(() => [Office], { nullable: true, description: 'Only seats with one of these offices; all offices when omitted.' })
  offices?: Office[] | null;
}

@ArgsType()
export class OfficeHoldersArgs {
  @Field(() => String, { description: 'The federation code, e.g. "SOCTRANG" (a merged federation\'s code reads its own history).' })
  @MaxChars(64)
  federationCode!: string;

  @Field(() => LocalDateScalar, { description: 'The date: seats held on that day (start and end days included, within their term).' })
  on!: string;

  @Field(() => [GoverningBodyKind], { nullable: true, description: 'Only seats on these bodies; all bodies when omitted.' })
  bodies?: GoverningBodyKind[] | null;

  @Field(() => [Office], { nullable: true, description: 'Only seats with one of these offices; all offices when omitted.' })
  offices?: Office[] | null;
}
