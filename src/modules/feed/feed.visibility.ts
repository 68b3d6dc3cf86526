import type DataLoader from 'dataloader';
import type { Viewer } from '../../common/auth';
import type { Node } from '../../common/node';
import type { NodeTypeEntry } from '../../common/module';
import type { ChangeRecord } from './feed.writer';
import { Change, toChange } from './feed.types';

/**
 * The records a viewer may see, as Changes: each record's Node is loaded through its type's by-id
 * loader, which applies the type's policy (one batched query per type, whatever the number of
 * records). A record whose Node the viewer may not see is left out; a DELETED one has no Node
 * left to ask, and is shown to ADMIN and ANALYST keys only.
 */
export async function visibleChanges(records: readonly ChangeRecord[], viewer: Viewer, loaders: object, nodeTypes: ReadonlyMap<string, NodeTypeEntry>): Promise<Change[]> {
  const byLoader = loaders as Record<string, DataLoader<number, Node | null>>;
  const nodes = await Promise.all(
    records.map((r) => {
      if (r.kind === 'DELETED') return null;
      const entry = nodeTypes.get(r.entityType);
      return entry ? byLoader[entry.loader].load(r.entityId) : null;
    }),
  );
  const out: Change[] = [];
  records.forEach((r, i) => {
    if (r.kind === 'DELETED') {
      if (viewer.role === 'ADMIN' || viewer.role === 'ANALYST') out.push(toChange(r, null));
    } else if (nodes[i]) out.push(toChange(r, nodes[i]));
  });
  return out;
}
