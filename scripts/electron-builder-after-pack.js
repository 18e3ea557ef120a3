// electron-builder afterPack hook: puts the better-sqlite3 addon built for Electron into the
// packaged app, in place of the Node.js build copied from node_modules. The build comes from
// scripts/prepare-electron.js for the target platform and architecture.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Arch } from 'electron-builder';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export default function afterPack(context) {
  const platform = context.electronPlatformName;
  const arch = Arch[context.arch];
  if (platform !== 'linux' && platform !== 'win32') {
    throw new Error(`afterPack: packaging for ${platform} is not set up; the station ships for Linux and Windows`);
  }

  const prepared = spawnSync(process.execPath, [join(root, 'scripts/prepare-electron.js'), '--no-launch', '--platform', platform, '--arch', arch], {
    cwd: root,
    stdio: 'inherit',
  });
  if (prepared.status !== 0) {
    throw new Error(`afterPack: scripts/prepare-electron.js failed for ${platform}-${arch}; see its message above`);
  }

  const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
  const source = join(root, 'build/electron-native', `electron-${electronVersion}-${platform}-${arch}`, 'better-sqlite3/build/Release/better_sqlite3.node');
  const target = join(context.appOutDir, 'resources/app.asar.unpacked/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  if (!existsSync(target)) {
    throw new Error(`afterPack: ${target} is missing; check asarUnpack in electron-builder.yml`);
  }
  copyFileSync(source, target);
}
