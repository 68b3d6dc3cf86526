import { defineModule } from '../../common/module';
import { Forum } from './forum.entity';
import { ForumPost, ForumPostRevision, ForumReaction } from './forum-post.entity';
import { ForumSynthesis, ForumSynthesisCitation, ForumSynthesisRecommendation } from './forum-synthesis.entity';
import { ForumThread } from './forum-thread.entity';
import { ForumWriteResolver } from './forum-write.resolver';
import { forumLoaders } from './forum.loaders';
import { ForumPostResolver, ForumRecommendationResolver, ForumResolver, ForumSynthesisResolver, ForumThreadResolver } from './forum.resolver';
import { forumSqlRead } from './forum.sql-read';
import { forumStatsLoaders } from './forum-stats.loaders';
import { ForumAssociationStatResolver, ForumSectionStatResolver, ForumStatsFieldResolver, ForumStatsResolver } from './forum-stats.resolver';
import { seedForumDemo } from './forum.demo';

/** Policy feedback forums: members discuss a document under review; the federation synthesises recommendations. */
export const forumModule = defineModule({
  name: 'forum',
  entities: [Forum, ForumThread, ForumPost, ForumPostRevision, ForumReaction, ForumSynthesis, ForumSynthesisRecommendation, ForumSynthesisCitation],
  resolvers: [
    // Reads (forum.resolver.ts).
    ForumResolver,
    ForumThreadResolver,
    ForumPostResolver,
    ForumSynthesisResolver,
    ForumRecommendationResolver,
    // Writes (forum-write.resolver.ts).
    ForumWriteResolver,
    // Statistics (forum-stats.resolver.ts).
    ForumStatsFieldResolver,
    ForumStatsResolver,
    ForumAssociationStatResolver,
    ForumSectionStatResolver,
  ],
  loaders: ({ em, viewer }) => ({ ...forumLoaders(em, viewer), ...forumStatsLoaders(em, viewer) }),
  sqlRead: forumSqlRead,
  nodeTypes: [
    { type: Forum, loader: 'forumById' },
    { type: ForumThread, loader: 'forumThreadById' },
    { type: ForumPost, loader: 'forumPostById' },
  ],
  changeScopes: {
    Forum: { table: 'forum', federation: 't.federation_id' },
    ForumThread: { table: 'forum_thread', association: 't.association_id', federation: '(select f.federation_id from forum f where f.id = t.forum_id)' },
    ForumPost: { table: 'forum_post', association: 't.association_id', federation: '(select f.federation_id from forum f where f.id = t.forum_id)' },
  },
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
      SYNTHESIS_ATTACHED: 'Copied a forum’s synthesis into its consultation request’s draft report (attachSynthesisToRequest); recorded on the forum and on the request.',
    },
  },
  demoSeed: async (em) => void (await seedForumDemo(em)),
});
