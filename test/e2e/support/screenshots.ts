// Screenshots of the operator screens, written as test artifacts. They land under
// test-results/, which .gitignore already excludes, and each run overwrites the last one's.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

/** The screen size of the station's touch monitors; pages and screenshots use it. */
export const KIOSK_VIEWPORT = { width: 1366, height: 768 };

const ARTIFACTS_FOLDER = fileURLToPath(new URL('../../../test-results/e2e/', import.meta.url));

/** Returns the folder of the e2e artifacts: screenshots/, and failures/ with the page and the serve log of each failed test. */
export function artifactsFolder(): string {
  return ARTIFACTS_FOLDER;
}

export function screenshotsFolder(): string {
  return join(ARTIFACTS_FOLDER, 'screenshots');
}

/** Saves what the page shows now (the viewport, not the whole scroll height) as NAME.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotsFolder(), { recursive: true });
  const path = join(screenshotsFolder(), `${name}.png`);
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  return path;
}
