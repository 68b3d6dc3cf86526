import { defineModule } from '../../common/module';
import { ChangeEvent, ChangeFeedHorizon } from './change-event.entity';
import { ChangeResolver, FeedResolver } from './feed.resolver';
import { startChangeFeedPurge } from './feed.service';

/** The change feed: records of every write's changed Nodes (a transactional outbox), read in commit-safe order. */
export const feedModule = defineModule({
  name: 'feed',
  entities: [ChangeEvent, ChangeFeedHorizon],
  resolvers: [FeedResolver, ChangeResolver],
  // Records older than CHANGE_FEED_RETENTION_DAYS are purged at start and then every hour.
  background: ({ em, logger, config }) => startChangeFeedPurge(em, logger, config.changeFeedRetentionDays),
});
