import type { Viewer } from '../../common/auth';
import { loadNode, type NodeTypeEntry } from '../../common/module';
import type { ChangeRecord } from './feed.writer';
import { Change, toChange } from './feed.types';

/** ADMIN and ANALYST keys see every Node of every type (the policies), and so every record, DELETED ones included. */
export const seesEveryChange = (viewer: Viewer): boolean => viewer.role === 'ADMIN' || viewer.role === 'ANALYST';

/**
 * The records a viewer may see, as Changes. ADMIN and ANALYST see them all, their Nodes loaded
 * only if `node` is asked for (null once gone). Other viewers see a record when they may see its
 * Node: each record's Node is loaded through its type's by-id loader, which applies the type's
 * policy (one batched query per type, whatever the number of records); a DELETED record, or one
 * whose Node is gone, has nothing left to check, and is left out.
 */
export async function visibleChanges(records: readonly ChangeRecord[], viewer: Viewer, loaders: object, nodeTypes: ReadonlyMap<string, NodeTypeEntry>): Promise<Change[]> {
  if (seesEveryChange(viewer)) return records.map((r) => toChange(r));
  const nodes = await Promise.all(records.map((r) => (r.kind === 'DELETED' ? null : loadNode(nodeTypes, loaders, r.entityType, r.entityId))));
  const out: Change[] = [];
  records.forEach((r, i) => {
    const node = nodes[i];
    if (node) out.push(toChange(r, node));
  });
  return out;
}
