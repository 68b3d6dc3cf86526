#!/usr/bin/env node
'use strict';
/**
 * The breaking-change check of the contract (test/schema-breaking.test.ts; also
 * `node scripts/schema-diff.js`, which prints the report and exits 1 on an unlisted break).
 *
 * - Base: the latest release tag `v*` in HEAD's history that does not point at HEAD
 *   (`git tag --merged HEAD`, highest version first); without one, the first parent (HEAD^1).
 *   `SCHEMA_BASE=<rev>` chooses another (e.g. `origin/main` for a branch).
 * - Breaking: a change @graphql-inspector/core's diff rates BREAKING (DANGEROUS and
 *   NON_BREAKING pass: additions, deprecations, new enum values, descriptions).
 * - Listed: the top section of schema/CHANGELOG.md (from its first `## ` heading to the next,
 *   "## Unreleased" until a release renames it) has a list item that starts with `- **Breaking`
 *   (`**Breaking**`, `**Breaking (behaviour)**`, …) and names the change's coordinate: the
 *   first two segments of its path (`Forum.title`, `UserErrorCode.FORUM_CLOSED`, `Forum.threads`
 *   for an argument of it, `ForumStats` for a type), as a whole word, anywhere in the item
 *   (continuation lines included). A change without a path is listed by its exact message.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { buildSchema } = require('graphql');
const { diff, CriticalityLevel } = require('@graphql-inspector/core');

const SCHEMA_FILE = 'schema/schema.graphql';
const CHANGELOG_FILE = 'schema/CHANGELOG.md';

/** The changes from one SDL to the other that @graphql-inspector rates BREAKING. */
async function breakingChanges(oldSdl, newSdl) {
  const changes = await diff(buildSchema(oldSdl), buildSchema(newSdl));
  return changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
}

/** What a changelog line must name: `Type.field` (or `Type`), from the change's path. */
function coordinate(change) {
  return change.path ? change.path.split('.').slice(0, 2).join('.') : change.message;
}

/** The top section of the changelog: its heading and text up to the next `## ` heading. */
function topSection(changelog) {
  const lines = changelog.split(/\r?\n/);
  const start = lines.findIndex((l) => /^## /.test(l));
  if (start < 0) return { heading: null, text: '' };
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  return { heading: lines[start].slice(3).trim(), text: lines.slice(start + 1, end < 0 ? undefined : end).join('\n') };
}

/** The `- **Breaking…` list items of a section, each with its continuation lines. */
function breakingItems(sectionText) {
  const items = [];
  let current = null;
  for (const line of sectionText.split('\n')) {
    if (/^\s*[-*] /.test(line) || /^#/.test(line) || line.trim() === '') {
      if (current) items.push(current);
      current = /^[-*] \*\*Breaking/.test(line) ? line : null;
    } else if (current) {
      current += '\n' + line;
    }
  }
  if (current) items.push(current);
  return items;
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function isListed(change, items) {
  const key = coordinate(change);
  const re = change.path ? new RegExp(`(^|[^\\w.])${escape(key)}(?![\\w])`) : null;
  return items.some((item) => (re ? re.test(item) : item.includes(key)));
}

/**
 * Compares two SDLs under a changelog. `baseVersion` (e.g. "1.2.0" when the base is tag v1.2.0):
 * a top section with that version in its heading is the released one, not the next version.
 */
async function check({ oldSdl, newSdl, changelog, baseVersion = null }) {
  const section = topSection(changelog);
  const released = baseVersion !== null && section.heading !== null && section.heading.includes(baseVersion);
  const items = released ? [] : breakingItems(section.text);
  const breaking = (await breakingChanges(oldSdl, newSdl)).map((c) => ({
    coordinate: coordinate(c),
    type: c.type,
    message: c.message,
    listed: isListed(c, items),
  }));
  return { heading: section.heading, released, breaking, unlisted: breaking.filter((b) => !b.listed) };
}

const git = (args, cwd) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const gitOk = (args, cwd) => {
  try {
    return git(args, cwd);
  } catch {
    return null;
  }
};

/**
 * The revision to compare with: { ref, label, version } or { ref: null, reason, fatal }.
 * `fatal` is true when the base exists but cannot be read here (a shallow clone, no git):
 * the check must say so rather than pass.
 */
function findBase(cwd, env = process.env) {
  if (gitOk(['rev-parse', '--is-inside-work-tree'], cwd) !== 'true') {
    return { ref: null, fatal: true, reason: `${cwd} is not a git work tree: the schema cannot be compared with its last release` };
  }
  if (env.SCHEMA_BASE) {
    const ref = gitOk(['rev-parse', '--verify', '-q', `${env.SCHEMA_BASE}^{commit}`], cwd);
    if (!ref) return { ref: null, fatal: true, reason: `SCHEMA_BASE=${env.SCHEMA_BASE} is not a commit here` };
    return { ref, label: `SCHEMA_BASE ${env.SCHEMA_BASE}`, version: null };
  }
  const atHead = new Set((gitOk(['tag', '--points-at', 'HEAD', '--list', 'v*'], cwd) ?? '').split('\n').filter(Boolean));
  const tags = (gitOk(['tag', '--merged', 'HEAD', '--list', 'v*', '--sort=-v:refname'], cwd) ?? '').split('\n').filter((t) => t && !atHead.has(t));
  if (tags.length) return { ref: tags[0], label: `release tag ${tags[0]}`, version: tags[0].replace(/^v/, '') };
  const parent = gitOk(['rev-parse', '--verify', '-q', 'HEAD^1'], cwd);
  if (parent) return { ref: parent, label: `first parent ${parent.slice(0, 12)} (no release tag v* before HEAD)`, version: null };
  if (gitOk(['rev-parse', '--is-shallow-repository'], cwd) === 'true') {
    return {
      ref: null,
      fatal: true,
      reason: 'a shallow clone: neither a release tag v* nor the parent commit is here. Fetch them (`git fetch --deepen=1 --tags`, or `git fetch --unshallow --tags`) or set SCHEMA_BASE',
    };
  }
  return { ref: null, fatal: false, reason: 'the first commit: no earlier schema to compare with' };
}

/** The schema at a revision, or null when the file did not exist there (the contract is new). */
function schemaAt(ref, cwd) {
  return gitOk(['show', `${ref}:${SCHEMA_FILE}`], cwd);
}

/** The whole check on a checkout: the working tree's schema and changelog against the base. */
async function checkRepository(cwd, env = process.env) {
  const base = findBase(cwd, env);
  if (!base.ref) return { base, result: null };
  const oldSdl = schemaAt(base.ref, cwd);
  if (oldSdl === null) return { base: { ...base, reason: `${SCHEMA_FILE} does not exist at ${base.label}` }, result: null };
  const newSdl = fs.readFileSync(path.join(cwd, SCHEMA_FILE), 'utf8');
  const changelog = fs.readFileSync(path.join(cwd, CHANGELOG_FILE), 'utf8');
  return { base, result: await check({ oldSdl, newSdl, changelog, baseVersion: base.version }) };
}

/** The failure message: each unlisted change and what to do. */
function report({ base, result }) {
  const lines = [`Base: ${base.label}. Top section of ${CHANGELOG_FILE}: "## ${result.heading}".`];
  if (result.released) lines.push(`That section is the release of the base (${base.version}): add a "## Unreleased" section above it for the next version.`);
  for (const b of result.unlisted) lines.push(`  ${b.coordinate}: ${b.message} [${b.type}]`);
  lines.push(
    `List each in the top section as a list item starting with "- **Breaking**" that names it (e.g. "- **Breaking** \`${result.unlisted[0]?.coordinate ?? 'Type.field'}\` …", with what clients do about it),`,
    'or make the change additive: deprecate a field (@deprecated(reason: "use … instead")) and remove it in a later release.',
  );
  return lines.join('\n');
}

module.exports = { breakingChanges, coordinate, topSection, breakingItems, isListed, check, findBase, schemaAt, checkRepository, report };

if (require.main === module) {
  const cwd = path.join(__dirname, '..');
  checkRepository(cwd).then(
    (r) => {
      if (!r.result) {
        console.log(`schema-diff: nothing compared: ${r.base.reason}`);
        process.exit(r.base.fatal ? 1 : 0);
      }
      const { breaking, unlisted } = r.result;
      console.log(`schema-diff: ${breaking.length} breaking change(s) against ${r.base.label}, ${unlisted.length} not listed in ${CHANGELOG_FILE}`);
      for (const b of breaking) console.log(`  ${b.listed ? 'listed  ' : 'UNLISTED'} ${b.coordinate}: ${b.message}`);
      if (unlisted.length) {
        console.log(report(r));
        process.exit(1);
      }
    },
    (e) => {
      console.error(e);
      process.exit(2);
    },
  );
}
