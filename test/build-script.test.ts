import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * scripts/build.js, which `npm start`, `npm run cli` and `npm run schema` run first: it compiles
 * only when dist/ is not the build of the current sources. Run here on a project of two files
 * (the real compiler, the script itself, a copy of the layout), so that it costs a second or two.
 */

const ROOT = path.resolve(__dirname, '..');
jest.setTimeout(120_000);

describe('scripts/build.js --if-stale', () => {
  let dir = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-build-'));
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.copyFileSync(path.join(ROOT, 'scripts', 'build.js'), path.join(dir, 'scripts', 'build.js'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    fs.mkdirSync(path.join(dir, 'src', 'cli'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src', 'main.ts'), `export const greeting: string = 'xin chào';\n`);
    fs.writeFileSync(path.join(dir, 'src', 'cli', 'index.ts'), `import { greeting } from '../main';\nconsole.log(greeting);\n`);
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, outDir: 'dist', rootDir: '.', types: [] }, include: ['src'] }),
    );
    fs.writeFileSync(path.join(dir, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { incremental: true, tsBuildInfoFile: 'dist/.tsbuildinfo' } }));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'build-test', private: true }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const build = () => {
    const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build.js'), '--if-stale'], { cwd: dir, encoding: 'utf8' });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const out = (f: string) => path.join(dir, 'dist', f);

  it('builds a fresh clone, then does nothing while nothing changed', () => {
    expect(build()).toEqual({ code: 0, out: 'Building dist/ (dist/ does not exist) ...\n' });
    expect(fs.readFileSync(out('src/main.js'), 'utf8')).toContain('xin chào');
    const built = fs.statSync(out('src/main.js')).mtimeMs;
    expect(build()).toEqual({ code: 0, out: '' });
    expect(fs.statSync(out('src/main.js')).mtimeMs).toBe(built);
  });

  it('builds again when a compiled file was deleted (which tsc --incremental alone does not notice)', () => {
    fs.rmSync(out('src/cli/index.js'));
    expect(build()).toEqual({ code: 0, out: 'Building dist/ (dist/src/cli/index.js is missing) ...\n' });
    expect(fs.existsSync(out('src/cli/index.js'))).toBe(true);
    expect(build()).toEqual({ code: 0, out: '' });
  });

  it('builds again when a source or the configuration changed', () => {
    fs.writeFileSync(path.join(dir, 'src', 'main.ts'), `export const greeting: string = 'tạm biệt';\n`);
    expect(build()).toEqual({ code: 0, out: 'Building dist/ (the sources changed) ...\n' });
    expect(fs.readFileSync(out('src/main.js'), 'utf8')).toContain('tạm biệt');
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'build-test', private: true, version: '0.0.2' }));
    expect(build()).toEqual({ code: 0, out: 'Building dist/ (the sources changed) ...\n' });
    expect(build()).toEqual({ code: 0, out: '' });
  });

  it('fails on a type error, and keeps trying (and failing) until it is fixed', () => {
    fs.writeFileSync(path.join(dir, 'src', 'main.ts'), `export const greeting: string = 42;\n`);
    const broken = build();
    expect(broken.code).not.toBe(0);
    expect(broken.out).toMatch(/TS2322/);
    expect(build().code).not.toBe(0);
    fs.writeFileSync(path.join(dir, 'src', 'main.ts'), `export const greeting: string = 'xin chào';\n`);
    expect(build()).toEqual({ code: 0, out: 'Building dist/ (the sources changed) ...\n' });
    expect(build()).toEqual({ code: 0, out: '' });
  });
});
