import { Field, InputType } from 'type-graphql';
import { IdempotentInput } from '../../common/mutation';
import { LocalDateScalar } from '../../common/scalars';
import { LegalDocumentInput } from '../federation/federation-write.inputs';

@InputType('MergeFederationInput', { description: 'A federation that merges into another (ADMIN only), e.g. a provincial union in the 2025 merger of provinces.' })
export class MergeFederationInput extends IdempotentInput {
  @Field(() => String, { description: 'Code of the federation that merges (it becomes MERGED), e.g. "SOCTRANG".' })
  code!: string;

  @Field(() => String, { description: 'Code of its successor, an ACTIVE federation other than the one that merges, e.g. "CANTHO".' })
  intoCode!: string;

  @Field(() => LocalDateScalar, {
    description:
      "The merger date: the first day under the successor, not in the future. Its associations are the successor's from this day; its term held on this day ends the day before, and so do the seats open on it.",
  })
  on!: string;

  @Field(() => LegalDocumentInput, { description: 'The decision behind the merger: number and date required (the date not in the future), issuer and title optional.' })
  decision!: LegalDocumentInput;
}
