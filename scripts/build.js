#!/usr/bin/env node
'use strict';
/**
 * Builds dist/ with `tsc -p tsconfig.build.json` (incremental).
 *
 *   node scripts/build.js             always runs the compiler (`npm run build`)
 *   node scripts/build.js --if-stale  only when dist/ is not the build of the current sources
 *                                     (`npm start`, `npm run cli`, `npm run schema` run this first)
 *
 * dist/ is up to date when dist/.build-stamp.json records the same fingerprint of the inputs
 * (the content of every file under src/ and migrations/, the tsconfig files, package.json and
 * package-lock.json) and every source file has its compiled file. Checking takes a few
 * milliseconds; the compiler, even with nothing to do, takes seconds (tens on a busy machine).
 *
 * tsc's incremental mode does not notice a deleted output: when one is missing, its build info is
 * dropped so that everything is emitted again. Plain JavaScript, so that it runs before any build.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp.json');
const BUILD_INFO = path.join(DIST, '.tsbuildinfo'); // tsconfig.build.json's tsBuildInfoFile
const SOURCE_DIRS = ['src', 'migrations'];
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

/** Paths (relative to ROOT, with /) of every file under `dir`. */
function filesUnder(dir) {
  const out = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  if (fs.existsSync(path.join(ROOT, dir))) walk(dir);
  return out;
}

function inputs() {
  const sources = SOURCE_DIRS.flatMap(filesUnder);
  const configs = CONFIG_FILES.filter((f) => fs.existsSync(path.join(ROOT, f)));
  return { sources, all: [...sources, ...configs].sort() };
}

function fingerprint(files) {
  const hash = crypto.createHash('sha256');
  for (const f of files) {
    hash.update(`${f}\0`);
    hash.update(fs.readFileSync(path.join(ROOT, f)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The compiled files the sources should have produced, missing ones only. */
function missingOutputs(sources) {
  return sources
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.join(DIST, f.replace(/\.ts$/, '.js')))
    .filter((out) => !fs.existsSync(out));
}

function readStamp() {
  try {
    return JSON.parse(fs.readFileSync(STAMP, 'utf8')).fingerprint;
  } catch {
    return null;
  }
}

function compile() {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function main() {
  const ifStale = process.argv.includes('--if-stale');
  const { sources, all } = inputs();
  const print = fingerprint(all);
  let missing = missingOutputs(sources);
  if (ifStale && missing.length === 0 && readStamp() === print) return 0;

  if (ifStale) {
    const why = !fs.existsSync(DIST) ? 'dist/ does not exist' : missing.length ? `${path.relative(ROOT, missing[0])} is missing` : 'the sources changed';
    process.stderr.write(`Building dist/ (${why}) ...\n`);
  }
  fs.rmSync(STAMP, { force: true });
  if (missing.length) fs.rmSync(BUILD_INFO, { force: true });
  const status = compile();
  if (status !== 0) return status;
  missing = missingOutputs(sources);
  if (missing.length) {
    process.stderr.write(`The build did not produce ${path.relative(ROOT, missing[0])}\n`);
    return 1;
  }
  // The fingerprint of what was compiled: a source changed meanwhile makes the next run build again.
  fs.writeFileSync(STAMP, `${JSON.stringify({ fingerprint: print, builtAt: new Date().toISOString() })}\n`);
  return 0;
}

process.exitCode = main();
