import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { breakingItems, check, checkRepository, findBase, report, topSection } from '../scripts/schema-diff';

/**
 * The breaking-change check (scripts/schema-diff.js; rules in its header and in the README's
 * "Schema contract and releases"): schema/schema.graphql against the last release tag v* (or the
 * first parent), every BREAKING change listed under the top section of schema/CHANGELOG.md.
 */

const ROOT = path.join(__dirname, '..');

describe('schema/schema.graphql against its last release', () => {
  it('has no breaking change that schema/CHANGELOG.md does not list under the next version', async () => {
    const r = await checkRepository(ROOT);
    if (!r.result) {
      // The first commit has nothing to compare with; a shallow clone or a missing base must say so.
      if (r.base.fatal) throw new Error(`the breaking-change check cannot run: ${r.base.reason}`);
      return;
    }
    if (r.result.unlisted.length) throw new Error(`breaking changes not listed in schema/CHANGELOG.md:\n${report({ base: r.base, result: r.result })}`);
    expect(r.result.unlisted).toEqual([]);
  });
});

const OLD = `
"""Root."""
type Query {
  """A forum."""
  forum(id: ID!): Forum
}
"""A forum."""
type Forum {
  """Id."""
  id: ID!
  """Its title."""
  title: String!
  """Its status."""
  status: ForumStatus!
}
"""Status."""
enum ForumStatus { OPEN CLOSED DRAFT }
`;
const withoutTitle = OLD.replace('"""Its title."""\n  title: String!\n', '');
const UNRELEASED = (items: string) => `# Changes to the GraphQL contract\n\nIntro.\n\n## Unreleased\n\n### Forums\n\n${items}\n\n## 1.2.0\n\n- **Breaking** \`Forum.title\` was renamed long ago.\n`;

describe('the checker', () => {
  it('a removed field is breaking, and fails without a changelog line', async () => {
    const r = await check({ oldSdl: OLD, newSdl: withoutTitle, changelog: UNRELEASED('- New field `Forum.tags`.') });
    expect(r.breaking.map((b) => [b.coordinate, b.type])).toEqual([['Forum.title', 'FIELD_REMOVED']]);
    expect(r.unlisted.map((b) => b.coordinate)).toEqual(['Forum.title']);
  });

  it('passes once the top section lists it on a "- **Breaking" item (continuation lines included)', async () => {
    const listed = await check({ oldSdl: OLD, newSdl: withoutTitle, changelog: UNRELEASED('- **Breaking** `Forum.title` is gone (deprecated since 1.1.0):\n  read `Forum.name`.') });
    expect(listed.unlisted).toEqual([]);
    const wrapped = await check({ oldSdl: OLD, newSdl: withoutTitle, changelog: UNRELEASED('- **Breaking (types only)** three fields removed after their deprecation,\n  `Forum.title` among them.') });
    expect(wrapped.unlisted).toEqual([]);
  });

  it('a mention elsewhere does not count: an older section, a line that is not a Breaking item, a longer name', async () => {
    // UNRELEASED's 1.2.0 section already names Forum.title under **Breaking**: too old to count.
    const cases = ['- `Forum.title` removed.', 'The **Breaking** change: `Forum.title` removed.', '- **Breaking** `Forum.titles` removed.', '- **Breaking** `MyForum.title` removed.'];
    for (const items of cases) {
      const r = await check({ oldSdl: OLD, newSdl: withoutTitle, changelog: UNRELEASED(items) });
      expect([items, r.unlisted.map((b) => b.coordinate)]).toEqual([items, ['Forum.title']]);
    }
  });

  it('an added field is not breaking', async () => {
    const added = OLD.replace('  title: String!\n', '  title: String!\n  """Tags."""\n  tags: [String!]!\n');
    const r = await check({ oldSdl: OLD, newSdl: added, changelog: UNRELEASED('') });
    expect(r.breaking).toEqual([]);
  });

  it('a deprecated field is not breaking', async () => {
    const deprecated = OLD.replace('title: String!', 'title: String! @deprecated(reason: "Use `name`.")');
    const r = await check({ oldSdl: OLD, newSdl: deprecated, changelog: UNRELEASED('') });
    expect(r.breaking).toEqual([]);
  });

  it('a removed enum value and a changed type are breaking, named Enum.VALUE and Type.field', async () => {
    const changed = OLD.replace('OPEN CLOSED DRAFT', 'OPEN CLOSED').replace('title: String!', 'title: String');
    const r = await check({ oldSdl: OLD, newSdl: changed, changelog: UNRELEASED('- **Breaking** `ForumStatus.DRAFT` is gone.') });
    expect(r.breaking.map((b) => b.coordinate).sort()).toEqual(['Forum.title', 'ForumStatus.DRAFT']);
    expect(r.unlisted.map((b) => b.coordinate)).toEqual(['Forum.title']);
  });

  it('after a release without a new "## Unreleased", the released section does not list the next breaks', async () => {
    const released = '# Changes\n\n## 1.3.0\n\n- **Breaking** `Forum.title` removed.\n';
    const r = await check({ oldSdl: OLD, newSdl: withoutTitle, changelog: released, baseVersion: '1.3.0' });
    expect(r.released).toBe(true);
    expect(r.unlisted.map((b) => b.coordinate)).toEqual(['Forum.title']);
  });

  it('reads the top section and its Breaking items', () => {
    const s = topSection(UNRELEASED('- **Breaking** `A.b` x\n  `C.d` y\n- `E.f` z'));
    expect(s.heading).toBe('Unreleased');
    expect(breakingItems(s.text)).toEqual(['- **Breaking** `A.b` x\n  `C.d` y']);
  });
});

describe('the base it compares with', () => {
  let dir: string;
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const commit = (sdl: string, message: string) => {
    fs.writeFileSync(path.join(dir, 'schema', 'schema.graphql'), sdl);
    git(dir, 'add', '-A');
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', message);
    return git(dir, 'rev-parse', 'HEAD');
  };
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-base-'));
    git(dir, 'init', '-q');
    fs.mkdirSync(path.join(dir, 'schema'));
    fs.writeFileSync(path.join(dir, 'schema', 'CHANGELOG.md'), UNRELEASED(''));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the first commit: nothing to compare, said so; then the first parent; then the latest release tag not at HEAD', async () => {
    commit(OLD, 'first');
    expect(findBase(dir)).toMatchObject({ ref: null, fatal: false, reason: expect.stringContaining('first commit') });

    const second = commit(OLD.replace('DRAFT', 'DRAFT ARCHIVED'), 'second');
    const first = git(dir, 'rev-parse', 'HEAD^1');
    expect(findBase(dir)).toMatchObject({ ref: first, version: null });

    git(dir, 'tag', 'v1.0.0', first);
    git(dir, 'tag', 'v1.1.0', second); // HEAD's own tag: the release being cut, not the base
    expect(findBase(dir)).toMatchObject({ ref: 'v1.0.0', version: '1.0.0' });

    commit(withoutTitle.replace('DRAFT', 'DRAFT ARCHIVED'), 'third: Forum.title removed');
    expect(findBase(dir)).toMatchObject({ ref: 'v1.1.0', version: '1.1.0' });
    const r = await checkRepository(dir);
    expect(r.result?.unlisted.map((b) => b.coordinate)).toEqual(['Forum.title']);
    expect(report({ base: r.base, result: r.result! })).toContain('Forum.title');
    expect(findBase(dir, { SCHEMA_BASE: 'v1.0.0' })).toMatchObject({ ref: git(dir, 'rev-parse', 'v1.0.0^{commit}') });
  });

  it('a shallow clone without the base: a clear message, and the check refuses to pass', () => {
    const shallow = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-shallow-'));
    try {
      git(os.tmpdir(), 'clone', '-q', '--depth', '1', '--no-tags', `file://${dir}`, shallow);
      expect(findBase(shallow)).toMatchObject({ ref: null, fatal: true, reason: expect.stringContaining('shallow clone') });
    } finally {
      fs.rmSync(shallow, { recursive: true, force: true });
    }
  });
});
