#!/usr/bin/env node
// Prepares the native modules for Electron's runtime, beside the builds npm made for Node.js,
// so `npm test` keeps working after `npm start`:
//   better-sqlite3   uses V8's API, so it needs a build for this Electron's ABI. It is made in a
//                    copy under build/electron-native/ (an Electron prebuild from the package's
//                    GitHub releases via prebuild-install, or else compiled by node-gyp against
//                    Electron's headers), and the app loads it through STATION_SQLITE_BINDING
//                    (better-sqlite3's nativeBinding option).
//   serialport       @serialport/bindings-cpp ships N-API prebuilds (prebuilds/<platform>-<arch>/),
//                    which are ABI-stable across Node.js and Electron, so its own copy loads as is.
// Then, unless --no-launch, it runs `electron-vite preview` (or `electron-vite dev` with --dev).
//
// Usage: node scripts/prepare-electron.js [--no-launch] [--dev] [--platform P] [--arch A]
// Both downloads (the Electron binary and the prebuild or headers) need internet access.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const args = process.argv.slice(2);

function option(name, fallback) {
  const index = args.indexOf(name);
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1] : fallback;
}

const platform = option('--platform', process.platform);
const arch = option('--arch', process.arch);
const launch = !args.includes('--no-launch');
const dev = args.includes('--dev');
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
const nativeFolder = join(root, 'build/electron-native', `electron-${electronVersion}-${platform}-${arch}`);
const sqliteFolder = join(nativeFolder, 'better-sqlite3');
const sqliteBinding = join(sqliteFolder, 'build/Release/better_sqlite3.node');

/**
 * The environment for the build tools. `npm run` exports npm_config_nodedir=/usr on some
 * machines, which makes node-gyp compile against Node.js's headers whatever --target is,
 * and prebuild-install read its runtime from npm_config_*; those settings are dropped.
 */
function toolEnvironment() {
  const environment = { ...process.env };
  for (const name of Object.keys(environment)) {
    if (/^npm_config_(nodedir|target|runtime|disturl|arch|platform|build_from_source)$/i.test(name)) {
      delete environment[name];
    }
  }
  return environment;
}

function fail(lines) {
  console.error(['', 'prepare-electron: cannot prepare the Electron runtime.', ...lines.map((line) => `  ${line}`), ''].join('\n'));
  process.exit(1);
}

function run(command, commandArgs, cwd) {
  const result = spawnSync(command, commandArgs, { cwd, env: toolEnvironment(), stdio: 'inherit' });
  return result.status === 0;
}

/** Returns the Electron executable, downloading it first when npm skipped electron's install script. */
function electronExecutable() {
  const packageFolder = join(root, 'node_modules/electron');
  const pathFile = join(packageFolder, 'path.txt');
  if (!existsSync(pathFile) || !existsSync(join(packageFolder, 'dist'))) {
    console.log(`Downloading the Electron ${electronVersion} binary (node_modules/electron/install.js)...`);
    if (!run(process.execPath, [join(packageFolder, 'install.js')], packageFolder) || !existsSync(pathFile)) {
      fail([
        `The Electron ${electronVersion} binary is not installed: node_modules/electron/dist is missing,`,
        'and its download from the Electron releases on GitHub failed (it needs internet access).',
        'On a machine with internet: node node_modules/electron/install.js, then npm start again.',
      ]);
    }
  }
  return join(packageFolder, 'dist', readFileSync(pathFile, 'utf8').trim());
}

/** Builds better-sqlite3 for Electron in a copy of the package, unless a build is already there. */
function prepareSqlite() {
  if (existsSync(sqliteBinding)) {
    console.log(`better-sqlite3 for Electron ${electronVersion} (${platform}-${arch}) is ready: ${sqliteBinding}`);
    return;
  }

  const source = dirname(require.resolve('better-sqlite3/package.json'));
  rmSync(sqliteFolder, { recursive: true, force: true });
  mkdirSync(nativeFolder, { recursive: true });
  // The package without its Node.js build; prebuild-install and node-gyp work on this copy only.
  cpSync(source, sqliteFolder, { recursive: true, filter: (path) => !path.startsWith(join(source, 'build')) });

  const target = ['--runtime=electron', `--target=${electronVersion}`, `--arch=${arch}`, `--platform=${platform}`];
  console.log(`Fetching the better-sqlite3 prebuild for Electron ${electronVersion} (${platform}-${arch})...`);
  const prebuildInstall = createRequire(join(source, 'package.json')).resolve('prebuild-install/bin.js');
  if (run(process.execPath, [prebuildInstall, ...target], sqliteFolder) && existsSync(sqliteBinding)) {
    return;
  }

  if (platform !== process.platform) {
    fail([`No better-sqlite3 prebuild for Electron ${electronVersion} on ${platform}-${arch} could be downloaded, and it cannot be compiled for another platform here.`]);
  }
  console.log(`No prebuild; compiling better-sqlite3 against the Electron ${electronVersion} headers with node-gyp...`);
  const nodeGyp = nodeGypScript();
  const compiled = run(
    process.execPath,
    [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, `--arch=${arch}`, '--dist-url=https://electronjs.org/headers'],
    sqliteFolder,
  );
  if (!compiled || !existsSync(sqliteBinding)) {
    rmSync(sqliteFolder, { recursive: true, force: true });
    fail([
      `better-sqlite3 could not be prepared for Electron ${electronVersion}:`,
      '- the prebuild download from the better-sqlite3 releases on GitHub failed, and',
      `- node-gyp could not get the Electron ${electronVersion} headers from electronjs.org or compile with them.`,
      'Both need internet access; see the messages above for the exact error.',
    ]);
  }
}

/** Finds node-gyp: the project's (electron-builder brings one), else the copy bundled with npm. */
function nodeGypScript() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const npmCli = process.env.npm_execpath ?? join(dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js');
    return join(dirname(npmCli), '../node_modules/node-gyp/bin/node-gyp.js');
  }
}

/** Loads both native modules in Electron's own Node.js, so a wrong ABI fails here and not in the app. */
function verifyInElectron(electron) {
  const check = [
    `const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});`,
    `new Database(':memory:', { nativeBinding: ${JSON.stringify(sqliteBinding)} }).prepare('select 1').get();`,
    `require(${JSON.stringify(require.resolve('@serialport/bindings-cpp'))});`,
    'console.log(`better-sqlite3 and serialport load in Electron ${process.versions.electron} (modules ABI ${process.versions.modules})`);',
  ].join('\n');
  const result = spawnSync(electron, ['-e', check], { env: { ...toolEnvironment(), ELECTRON_RUN_AS_NODE: '1' }, stdio: 'inherit' });
  if (result.status !== 0) {
    fail(['The native modules do not load in Electron; see the error above. Delete build/electron-native and run this script again.']);
  }
}

const crossBuild = platform !== process.platform || arch !== process.arch;
const electron = crossBuild ? undefined : electronExecutable();
prepareSqlite();
writeFileSync(join(nativeFolder, 'README.txt'), `better-sqlite3 built for Electron ${electronVersion} on ${platform}-${arch} by scripts/prepare-electron.js.\n`);
if (electron !== undefined) {
  verifyInElectron(electron);
}

if (launch) {
  // electron-vite's package exports do not include its bin file, so it is found by path.
  const electronVite = join(root, 'node_modules/electron-vite/bin/electron-vite.js');
  const result = spawnSync(process.execPath, [electronVite, dev ? 'dev' : 'preview'], {
    cwd: root,
    env: { ...toolEnvironment(), STATION_SQLITE_BINDING: sqliteBinding },
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
}
