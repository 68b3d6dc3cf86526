import { defineModule } from '../../common/module';
import { Forum } from './forum.entity';
import { ForumPost, ForumPostRevision, ForumReaction } from './forum-post.entity';
import { ForumSynthesis, ForumSynthesisCitation, ForumSynthesisRecommendation } from './forum-synthesis.entity';
import { ForumThread } from './forum-thread.entity';
import { forumStatsLoaders } from './forum-stats.loaders';
import { ForumAssociationStatResolver, ForumSectionStatResolver, ForumStatsFieldResolver, ForumStatsResolver } from './forum-stats.resolver';
import { seedForumDemo } from './forum.demo';

/** Policy feedback forums: members discuss a document under review; the federation synthesises recommendations. */
export const forumModule = defineModule({
  name: 'forum',
  entities: [Forum, ForumThread, ForumPost, ForumPostRevision, ForumReaction, ForumSynthesis, ForumSynthesisRecommendation, ForumSynthesisCitation],
  resolvers: [
    // Reads (forum.resolver.ts).
    // Writes (forum-write.resolver.ts).
    // Statistics (forum-stats.resolver.ts).
    ForumStatsFieldResolver,
    ForumStatsResolver,
    ForumAssociationStatResolver,
    ForumSectionStatResolver,
  ],
  loaders: ({ em, viewer }) => ({ ...forumStatsLoaders(em, viewer) }),
  audit: {
    entityTypes: {
      Forum: 'A policy feedback forum (`Forum`), with its synthesis.',
      ForumThread: 'A thread of a forum (`ForumThread`).',
      ForumPost: 'A post of a forum thread (`ForumPost`), with its reactions.',
    },
    actions: {
      STATUS: 'Changed a forum’s status (setForumStatus): opened now, closed early, reopened, archived or unarchived.',
      HIDE: 'Hid a post (hidePost), with the reason.',
      UNHIDE: 'Showed a hidden post again (unhidePost).',
      LOCK: 'Locked a thread (lockThread).',
      REACT: 'Set, changed or removed a person’s reaction to a post (reactToPost).',
      PUBLISH: 'Published or republished a forum’s synthesis (publishSynthesis).',
      ATTACH: 'Copied a forum’s synthesis into its consultation request’s draft report (attachSynthesisToRequest).',
    },
  },
  demoSeed: async (em) => void (await seedForumDemo(em)),
});
