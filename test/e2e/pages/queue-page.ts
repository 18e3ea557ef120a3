// The queue screen: the uploads that wait for the server or for an operator.
import type { Page } from 'playwright-core';
import { textWithoutIcons } from './text';

export interface QueueRowView {
  unitName: string;
  /** held, queued or parked, from data-state. */
  state: string | null;
  stateText: string;
  reasonText: string;
}

export class QueuePage {
  constructor(private readonly page: Page) {}

  /** Waits for the screen and for its first list, so rows() reads the loaded queue. */
  async waitForScreen(): Promise<void> {
    await this.page.getByTestId('queue-screen').waitFor();
    await this.page.locator('[data-testid="queue-row"], [data-testid="queue-empty"]').first().waitFor();
  }

  async rows(): Promise<QueueRowView[]> {
    const rows: QueueRowView[] = [];
    for (const row of await this.page.getByTestId('queue-row').all()) {
      rows.push({
        unitName: await textWithoutIcons(row.getByTestId('queue-unit')),
        state: await row.getAttribute('data-state'),
        stateText: await textWithoutIcons(row.getByTestId('queue-state')),
        reasonText: await textWithoutIcons(row.getByTestId('queue-reason')),
      });
    }
    return rows;
  }

  /** Returns true when the screen shows that nothing waits to sync. */
  async isEmpty(): Promise<boolean> {
    return (await this.page.getByTestId('queue-empty').count()) > 0;
  }

  /** Presses "Sync now" and waits until the run it started has ended. */
  async syncNow(): Promise<void> {
    const button = this.page.getByTestId('queue-sync-now');
    await button.click();
    await this.page.locator('[data-testid="queue-sync-now"]:not([disabled])').waitFor();
  }
}
