import type { Config } from '../../config';
import { RateLimiter, TokenBucketLimiter } from '../../common/rate-limit';

/** The forum module's settings and its flood control, one per hub (SharedCaches.forum). */
export interface ForumSettings {
  /** How long after writing it an app may still edit its post, in ms. */
  editWindowMs: number;
  /** New posts (threads included) per key: null when FORUM_POSTS_PER_MINUTE is 0. */
  posts: RateLimiter | null;
  /** FORUM_POSTS_PER_MINUTE, for messages. */
  postsPerMinute: number;
}

/**
 * `shared` keeps a limiter's buckets where every hub counts (server.ts: in Redis with REDIS_URL,
 * under the name given); by default they stay in this process.
 */
export function forumSettings(
  config: Pick<Config, 'forum'>,
  shared: (name: string, local: TokenBucketLimiter | null) => RateLimiter | null = (_name, local) => local,
): ForumSettings {
  const { editWindowMinutes, postsPerMinute } = config.forum;
  return {
    editWindowMs: editWindowMinutes * 60_000,
    // A key may post its whole minute's allowance at once, then one every 60/N seconds.
    posts: shared('forum-posts', postsPerMinute > 0 ? new TokenBucketLimiter({ capacity: postsPerMinute, refillPerSecond: postsPerMinute / 60 }) : null),
    postsPerMinute,
  };
}
