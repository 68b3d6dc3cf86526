import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, visit, type DefinitionNode, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';

/** One example operation of `schema/operations/`, as the explorer offers it. */
export interface ExampleOperation {
  /** The operation's name (or the file's name for an anonymous one). */
  name: string;
  kind: 'query' | 'mutation' | 'subscription';
  /** The file it comes from, relative to the operations folder. */
  file: string;
  /** The operation and the fragments it uses, as written in the file: ready to run on its own. */
  document: string;
}

export interface ExampleOperations {
  operations: ExampleOperation[];
  /** Files that could not be read as GraphQL (shown in the page, so that a broken file is noticed). */
  errors: { file: string; message: string }[];
}

/**
 * The example operations of `dir` (every `*.graphql` file, sorted by path), read once at start-up.
 * A missing or empty folder gives an empty list: the explorer works without it.
 */
export function loadExampleOperations(dir: string): ExampleOperations {
  const result: ExampleOperations = { operations: [], errors: [] };
  for (const file of graphqlFiles(dir)) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    let doc: DocumentNode;
    try {
      doc = parse(text);
    } catch (e) {
      result.errors.push({ file, message: (e as Error).message });
      continue;
    }
    const fragments = new Map(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
    const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    for (const op of ops) {
      result.operations.push({
        name: op.name?.value ?? path.basename(file, '.graphql'),
        kind: op.operation as ExampleOperation['kind'],
        file,
        // A file with one operation is offered as written (its comments too); otherwise each
        // operation with the fragments it needs, so that it runs without choosing among several.
        document: ops.length === 1 ? text.trim() : [op, ...usedFragments(op, fragments)].map((d) => source(text, d)).join('\n\n'),
      });
    }
  }
  return result;
}

function graphqlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw e;
    }
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && entry.name.endsWith('.graphql')) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/** The fragments `op` spreads, directly or through other fragments, in the file's order. */
function usedFragments(op: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): FragmentDefinitionNode[] {
  const seen = new Set<string>();
  const queue: DefinitionNode[] = [op];
  while (queue.length) {
    visit(queue.shift()!, {
      FragmentSpread(node) {
        const f = fragments.get(node.name.value);
        if (f && !seen.has(f.name.value)) {
          seen.add(f.name.value);
          queue.push(f);
        }
      },
    });
  }
  return [...fragments.values()].filter((f) => seen.has(f.name.value));
}

function source(text: string, node: DefinitionNode): string {
  return node.loc ? text.slice(node.loc.start, node.loc.end) : '';
}
