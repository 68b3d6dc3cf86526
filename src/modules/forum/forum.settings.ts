import type { Config } from '../../config';
import { TokenBucketLimiter } from '../../common/rate-limit';

/** The forum module's settings and its flood control, one per hub (SharedCaches.forum). */
export interface ForumSettings {
  /** How long after writing it an app may still edit its post, in ms. */
  editWindowMs: number;
  /** New posts (threads included) per key: null when FORUM_POSTS_PER_MINUTE is 0. */
  posts: TokenBucketLimiter | null;
  /** FORUM_POSTS_PER_MINUTE, for messages. */
  postsPerMinute: number;
}

export function forumSettings(config: Pick<Config, 'forum'>): ForumSettings {
  const { editWindowMinutes, postsPerMinute } = config.forum;
  return {
    editWindowMs: editWindowMinutes * 60_000,
    // A key may post its whole minute's allowance at once, then one every 60/N seconds.
    posts: postsPerMinute > 0 ? new TokenBucketLimiter({ capacity: postsPerMinute, refillPerSecond: postsPerMinute / 60 }) : null,
    postsPerMinute,
  };
}
