import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Association } from '../association/association.entity';
import { KeyRole, ViewerInfo } from './key.types';

@Resolver(() => ViewerInfo)
export class ViewerResolver {
  @Query(() => ViewerInfo, { nullable: true, description: 'Who the API key sent with this request belongs to; null for anonymous callers.' })
  viewer(@Ctx() ctx: Context): ViewerInfo | null {
    const v = ctx.viewer;
    if (v.role === 'PUBLIC' || v.keyLabel === null) return null;
    return Object.assign(new ViewerInfo(), { role: v.role as KeyRole, keyLabel: v.keyLabel, associationId: v.associationId });
  }

  @FieldResolver(() => Association, { nullable: true, description: 'The association an ASSOCIATION key is bound to; null for other roles.' })
  association(@Root() v: ViewerInfo, @Ctx() ctx: Context): Promise<Association | null> | null {
    return v.associationId === null ? null : ctx.loaders.associationById.load(v.associationId);
  }
}
