// `station serve`: the operator screens in a browser on this machine, for headless kiosks.
// Opens the station service, serves the built renderer on 127.0.0.1 with the StationApi on a
// WebSocket, prints the URL with its per-run token, and runs until SIGINT or SIGTERM.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStationService, type StationService } from '../../main/service/station-service';
import { acquireDatabaseLock } from '../../main/store/database-lock';
import { startStationWsServer, type StationWsServer } from '../../main/transport/ws-server';
import { EXIT, printJson } from '../output';

export interface ServeCommandOptions {
  db: string;
  port: number;
  json?: boolean;
}

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Folder that `npm run build` (electron-vite) writes the renderer to. */
export const RENDERER_DIR = join(PACKAGE_ROOT, 'out', 'renderer');

/**
 * Returns the database the desktop app opens: station.db in Electron's user-data folder for this app
 * (userData is <appData>/<package name>). `station serve` is the same station without its
 * window, so it keeps the same station id, history and outbox whatever the current folder is.
 */
export function defaultDatabasePath(): string {
  return join(appDataFolder(), 'provisioning-station', 'station.db');
}

/** Electron's appData folder: %APPDATA% on Windows, Application Support on macOS, XDG_CONFIG_HOME or ~/.config elsewhere. */
function appDataFolder(): string {
  if (process.platform === 'win32') {
    return process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming');
  }
  if (process.platform === 'darwin') {
    return join(homedir(), 'Library', 'Application Support');
  }
  const configHome = process.env.XDG_CONFIG_HOME;
  return configHome !== undefined && configHome !== '' ? configHome : join(homedir(), '.config');
}

export async function serveCommand(options: ServeCommandOptions, rendererDir = RENDERER_DIR): Promise<number> {
  if (!existsSync(join(rendererDir, 'index.html'))) {
    process.stderr.write(`error: the operator screens are not built (${join(rendererDir, 'index.html')} is missing); run \`npm run build\` first\n`);
    return EXIT.failed;
  }

  const dbPath = resolve(options.db);
  mkdirSync(dirname(dbPath), { recursive: true });
  // The desktop app and another `station serve` on the same database would drive the same
  // serial ports and journal, so the lock refuses a second one with the holder's name.
  const lock = acquireDatabaseLock(dbPath, { program: 'station serve' });
  let service: StationService;
  let server: StationWsServer;
  try {
    service = await openStationService({ dbPath, transport: 'websocket', appVersion: readPackageVersion() });
  } catch (error) {
    lock.release();
    throw error;
  }
  try {
    server = await startStationWsServer({ service, rendererDir, port: options.port });
  } catch (error) {
    await service.close();
    lock.release();
    throw error;
  }

  // Listening for the signals before the URL is printed lets a supervisor that read the URL
  // stop the station cleanly at once. The URL is the first line of stdout, for `head -1`.
  const stopRequested = waitForStopSignal();
  if (options.json === true) {
    printJson({ url: server.url, port: server.port, db: dbPath });
  } else {
    console.log(`Station UI: ${server.url}`);
    console.log(`Open it in a browser on this machine; database ${dbPath}. Press Ctrl+C to stop.`);
  }

  await stopRequested;

  await server.close();
  await service.close();
  lock.release();
  if (options.json !== true) {
    console.log('Station UI stopped.');
  }
  return EXIT.ok;
}

function readPackageVersion(): string {
  const packageJson = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return packageJson.version;
}

/** Resolves on the first SIGINT or SIGTERM; a second one then ends the process at once. */
function waitForStopSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
