import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { MaxChars } from '../../common/arg-rules';
import { PageArgs } from '../../common/pagination';
import { ForumOrder, ForumStatus, ForumVisibility, PostStance, ThreadOrder } from './forum.enums';

@InputType('ForumFilter', { description: 'Conditions a forum must meet; omitted ones do not filter.' })
export class ForumFilter {
  @Field(() => ForumStatus, { nullable: true, description: 'Only forums in this status now.' })
  status?: ForumStatus | null;

  @Field(() => ForumVisibility, { nullable: true, description: 'Only forums of this visibility.' })
  visibility?: ForumVisibility | null;

  @Field(() => String, { nullable: true, description: 'Only forums with this tag (compared in lower case), e.g. "nông nghiệp".' })
  @MaxChars(50)
  tag?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Case- and diacritic-insensitive search in the title and description ("can tho" finds "Cần Thơ"), 2 to 100 characters. When given, results are ranked by similarity (orderBy is not used).',
  })
  @MaxChars(100)
  search?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only forums feeding this consultation request (a ConsultationRequest id).' })
  consultationRequestId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only forums of the federation with this code.' })
  @MaxChars(64)
  federationCode?: string | null;
}

@ArgsType()
export class ForumsArgs extends PageArgs {
  @Field(() => ForumFilter, { nullable: true, description: 'Conditions on the forums.' })
  filter?: ForumFilter | null;

  @Field(() => ForumOrder, { defaultValue: ForumOrder.OPENS_DESC, description: 'Order of the list (default OPENS_DESC).' })
  orderBy: ForumOrder = ForumOrder.OPENS_DESC;
}

@ArgsType()
export class ForumThreadsArgs extends PageArgs {
  @Field(() => ThreadOrder, { defaultValue: ThreadOrder.LAST_ACTIVITY_DESC, description: 'Order of the threads (default LAST_ACTIVITY_DESC).' })
  orderBy: ThreadOrder = ThreadOrder.LAST_ACTIVITY_DESC;

  @Field(() => String, { nullable: true, description: "Only threads about the section of the forum's document with this number (e.g. \"2\" or \"II.3\")." })
  @MaxChars(64)
  section?: string | null;
}

@InputType('ForumPostFilter', { description: 'Conditions a post must meet; omitted ones do not filter.' })
export class ForumPostFilter {
  @Field(() => ID, { nullable: true, description: 'Only posts of this forum (a Forum id).' })
  forumId?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Case- and diacritic-insensitive search in post bodies and thread titles ("can tho" finds "Cần Thơ"), 2 to 100 characters. Hidden posts match only for ADMIN. The order stays newest first.',
  })
  @MaxChars(100)
  search?: string | null;

  @Field(() => PostStance, { nullable: true, description: 'Only posts with this stance (hidden posts match only for ADMIN, who alone sees their stance).' })
  stance?: PostStance | null;

  @Field(() => String, { nullable: true, description: 'Only posts about the document section with this number (e.g. "2").' })
  @MaxChars(64)
  section?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only posts written through the app of the association with this code (hidden posts match only for ADMIN, who alone sees their association).',
  })
  @MaxChars(64)
  associationCode?: string | null;
}

@ArgsType()
export class ForumPostsArgs extends PageArgs {
  @Field(() => ForumPostFilter, { nullable: true, description: 'Conditions on the posts.' })
  filter?: ForumPostFilter | null;
}
