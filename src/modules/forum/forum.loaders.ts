import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { EMPTY_PAGE, groupedLoader, listLoader, loaderInKeyOrder, oneLoader } from '../../common/loaders';
import { Page, PageArgs } from '../../common/pagination';
import { Forum } from './forum.entity';
import { ReactionKind } from './forum.enums';
import { ForumThreadsArgs } from './forum.inputs';
import { ForumService, ReactionKey } from './forum.service';
import { ForumPost } from './forum-post.entity';
import { ForumThread } from './forum-thread.entity';

export function forumLoaders(em: EntityManager, viewer: Viewer) {
  const service = new ForumService(em, viewer);
  return {
    /** Forums the viewer may see (ForumPolicy); a hidden one loads as null. */
    forumById: loaderInKeyOrder<Forum>((ids) => service.forumsByIds(ids)),
    forumThreadById: loaderInKeyOrder<ForumThread>((ids) => service.threadsByIds(ids)),
    forumPostById: loaderInKeyOrder<ForumPost>((ids) => service.postsByIds(ids)),
    threadsOfForum: groupedLoader<ForumThreadsArgs, Page<ForumThread>>((ids, args) => service.threadsOf(ids, args), EMPTY_PAGE),
    threadCountOfForum: groupedLoader<string | null, number>((ids, section) => service.threadCounts(ids, section), 0),
    postsOfThread: groupedLoader<PageArgs, Page<ForumPost>>((ids, args) => service.topPostsOf(ids, args), EMPTY_PAGE),
    postCountOfThread: groupedLoader<null, number>((ids) => service.topPostCounts(ids), 0),
    repliesOfPost: groupedLoader<PageArgs, Page<ForumPost>>((ids, args) => service.repliesOf(ids, args), EMPTY_PAGE),
    replyCountOfPost: groupedLoader<null, number>((ids) => service.replyCounts(ids), 0),
    revisionsOfPost: listLoader((ids) => service.revisionsOf(ids)),
    synthesisOfForum: oneLoader((ids) => service.synthesesOf(ids)),
    recommendationsOfSynthesis: listLoader((ids) => service.recommendationsOf(ids)),
    citedPostsOfRecommendation: listLoader((ids) => service.citedPostsOf(ids)),
    /** A person's reaction to a post, as the viewer may know it (null otherwise). */
    reactionOfPerson: new DataLoader<ReactionKey, ReactionKind | null, string>(
      async (keys) => {
        const found = await service.reactionsOf(keys);
        return keys.map((k) => found.get(`${k.postId}:${k.personId}`) ?? null);
      },
      { cacheKeyFn: (k) => `${k.postId}:${k.personId}` },
    ),
  };
}
