import { defineModule } from '../../common/module';
import { ChangeEvent, ChangeFeedHorizon } from './change-event.entity';
import { ChangeResolver, FeedResolver } from './feed.resolver';

/** The change feed: records of every write's changed Nodes (a transactional outbox), read in commit-safe order. */
export const feedModule = defineModule({
  name: 'feed',
  entities: [ChangeEvent, ChangeFeedHorizon],
  resolvers: [FeedResolver, ChangeResolver],
});
