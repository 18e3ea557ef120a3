// The frame around every screen: the navigation buttons and the sync badge.
import type { Page } from 'playwright-core';

export type ScreenName = 'provision' | 'queue' | 'history' | 'settings';

export class Header {
  constructor(private readonly page: Page) {}

  /** Opens a screen with its navigation button and waits until it is the current one. */
  async open(screen: ScreenName): Promise<void> {
    const button = this.page.getByTestId(`nav-${screen}`);
    await button.click();
    await this.page.locator(`[data-testid="nav-${screen}"][aria-current="page"]`).waitFor();
  }

  /** Returns the queued count of the sync badge, from its data-count. */
  async queuedCount(): Promise<number> {
    return readCount(await this.page.getByTestId('header-queued').getAttribute('data-count'));
  }

  async parkedCount(): Promise<number> {
    return readCount(await this.page.getByTestId('header-parked').getAttribute('data-count'));
  }

  /** Returns the visible text of the queued badge, such as "Queued 2". */
  async queuedText(): Promise<string> {
    return (await this.page.getByTestId('header-queued').textContent()) ?? '';
  }

  /** Returns the time of the last contact with the server (ISO 8601), or null when never. */
  async lastSync(): Promise<string | null> {
    const time = await this.page.getByTestId('header-last-sync').getAttribute('data-time');
    return time === null || time === '' ? null : time;
  }
}

function readCount(value: string | null): number {
  if (value === null || !/^[0-9]+$/.test(value)) {
    throw new Error(`the badge's data-count is ${JSON.stringify(value)}, not a whole number`);
  }
  return Number(value);
}
