import { defineModule } from '../../common/module';
import { ChangeEvent, ChangeFeedHorizon } from './change-event.entity';
import { ChangeResolver, FeedResolver } from './feed.resolver';
import { startChangeFeedPurge } from './feed.service';

/** The change feed: records of every write's changed Nodes (a transactional outbox), read in commit-safe order. */
export const feedModule = defineModule({
  name: 'feed',
  entities: [ChangeEvent, ChangeFeedHorizon],
  resolvers: [FeedResolver, ChangeResolver],
  // The feed's order rests on the primary's running transactions (a standby only approximates them
  // from the WAL it has replayed), and its visibility on Nodes a lagging replica may not have yet:
  // a record passed over as invisible would be lost to the reader. An app that re-reads in full
  // after CURSOR_EXPIRED asks for changesEndCursor in the same document as its data.
  primaryReads: ['changes', 'changesEndCursor'],
  // Records older than CHANGE_FEED_RETENTION_DAYS are purged at start and then every hour.
  background: ({ em, logger, config }) => startChangeFeedPurge(em, logger, config.changeFeedRetentionDays),
});
