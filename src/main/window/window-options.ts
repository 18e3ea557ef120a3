// The main window's BrowserWindow options, kept in one pure function so a unit test can check
// each security setting without Electron. The type import is erased at build time.
import type { BrowserWindowConstructorOptions } from 'electron';

export interface MainWindowOptionsInput {
  /** Absolute path of the built preload script (CommonJS, because the renderer is sandboxed). */
  preloadPath: string;
  /** DevTools stay available in development builds only. */
  devTools: boolean;
}

/**
 * Builds the options of the station's only window. Every setting on Electron's security
 * checklist is written out, even where it equals Electron's default, so a changed default in a
 * later Electron release cannot loosen the window unnoticed.
 */
export function mainWindowOptions(input: MainWindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    width: 1366,
    height: 768,
    minWidth: 1024,
    minHeight: 640,
    title: 'Provisioning Station',
    // Shown on 'ready-to-show', so the operator never sees an empty white frame.
    show: false,
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      // On Windows and Linux the spellchecker downloads its dictionaries from a Google CDN, and
      // factory stations are often offline; the operator types ids, not prose.
      spellcheck: false,
      // A file dropped on the window would otherwise replace the app with that file.
      navigateOnDragDrop: false,
      safeDialogs: true,
      devTools: input.devTools,
    },
  };
}
