#!/usr/bin/env node
'use strict';
/**
 * Refreshes vendor/graphiql/: the self-contained browser build of GraphiQL 5 (with Monaco) that
 * `@graphql-yoga/graphiql` publishes in its `dist/`, served by the hub at /explorer.
 *
 *   node scripts/vendor-graphiql.js            fetch VERSION below, copy its files, write vendor/graphiql/VERSION.json
 *   node scripts/vendor-graphiql.js --check    only verify that the committed files match VERSION.json
 *
 * Why vendored rather than an npm dependency: the package depends on graphql 17, which would sit
 * beside the hub's graphql 16 and break `npm ls`; the hub only needs its already-bundled `dist/`
 * (React, GraphiQL, Monaco and its workers in four files), which needs none of its dependencies.
 *
 * To upgrade: change VERSION, run this script, open /explorer and run test/explorer.test.ts.
 * Plain JavaScript (no build needed); uses the ordinary npm client (`npm pack`) and `tar`.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const PACKAGE = '@graphql-yoga/graphiql';
const VERSION = '4.5.0';
const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'vendor', 'graphiql');
/** Files taken from the package (source → name under vendor/graphiql/). */
const FILES = [
  ['dist/yoga-graphiql.umd.js', 'yoga-graphiql.umd.js'],
  ['dist/graphiql.css', 'graphiql.css'],
  ['dist/monacoeditorwork/editor.worker.bundle.js', 'editor.worker.js'],
  ['dist/monacoeditorwork/json.worker.bundle.js', 'json.worker.js'],
  // 4.5.0 ships this one with a double dot in its name.
  [['dist/monacoeditorwork/graphql.worker.bundle.js', 'dist/monacoeditorwork/graphql.worker..bundle.js'], 'graphql.worker.js'],
  ['LICENSE', 'LICENSE'],
];

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function check() {
  const manifest = JSON.parse(fs.readFileSync(path.join(OUT, 'VERSION.json'), 'utf8'));
  let bad = 0;
  for (const [name, hash] of Object.entries(manifest.files)) {
    const file = path.join(OUT, name);
    if (!fs.existsSync(file) || sha256(file) !== hash) {
      process.stderr.write(`vendor/graphiql/${name} does not match VERSION.json\n`);
      bad++;
    }
  }
  if (!bad) process.stdout.write(`vendor/graphiql: ${manifest.package}@${manifest.version}, ${Object.keys(manifest.files).length} files as recorded\n`);
  return bad ? 1 : 0;
}

function refresh() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vendor-graphiql-'));
  try {
    const packed = JSON.parse(execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--json', '--pack-destination', tmp], { cwd: tmp, encoding: 'utf8' }))[0];
    execFileSync('tar', ['-xzf', path.join(tmp, packed.filename), '-C', tmp]);
    const pkgDir = path.join(tmp, 'package');
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    if (pkg.version !== VERSION) throw new Error(`npm pack gave ${pkg.version}, expected ${VERSION}`);
    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
    const files = {};
    for (const [from, to] of FILES) {
      const source = [from].flat().map((f) => path.join(pkgDir, f)).find((f) => fs.existsSync(f));
      if (!source) throw new Error(`${PACKAGE}@${VERSION} has no ${[from].flat().join(' or ')}`);
      fs.copyFileSync(source, path.join(OUT, to));
      files[to] = sha256(path.join(OUT, to));
    }
    const manifest = { package: PACKAGE, version: VERSION, license: pkg.license, integrity: packed.integrity, files };
    fs.writeFileSync(path.join(OUT, 'VERSION.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    process.stdout.write(`vendor/graphiql: ${PACKAGE}@${VERSION} (${packed.integrity})\n`);
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = process.argv.includes('--check') ? check() : refresh();
