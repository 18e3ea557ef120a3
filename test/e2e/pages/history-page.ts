// The history screen: every unit this station handled, its search, and the CSV export.
import type { Page } from 'playwright-core';
import { textWithoutIcons } from './text';

export interface HistoryRowView {
  name: string;
  /** passed, failed or none, from data-result. */
  result: string | null;
  resultText: string;
  /** SyncState from data-sync, such as done or queued. */
  sync: string | null;
}

export interface DownloadedFile {
  fileName: string;
  content: string;
}

export class HistoryPage {
  constructor(private readonly page: Page) {}

  async waitForScreen(): Promise<void> {
    await this.page.getByTestId('history-screen').waitFor();
    await this.page.getByTestId('history-count').waitFor();
  }

  /**
   * Types `text` into the search box and waits until the list shows exactly `expectedRows`
   * rows, because every keystroke starts a search and the last reply wins.
   */
  async search(text: string, expectedRows: number): Promise<void> {
    await this.page.getByTestId('history-search').fill(text);
    await this.page.waitForFunction(
      ({ value, rows }) => {
        const input = document.querySelector<HTMLInputElement>('[data-testid="history-search"]');
        return input?.value === value && document.querySelectorAll('[data-testid="history-row"]').length === rows;
      },
      { value: text, rows: expectedRows },
    );
  }

  async rows(): Promise<HistoryRowView[]> {
    const rows: HistoryRowView[] = [];
    for (const row of await this.page.getByTestId('history-row').all()) {
      rows.push({
        name: await textWithoutIcons(row.getByTestId('history-name')),
        result: await row.getAttribute('data-result'),
        resultText: await textWithoutIcons(row.getByTestId('history-result')),
        sync: await row.getAttribute('data-sync'),
      });
    }
    return rows;
  }

  /** Presses "Export CSV" and returns the file the browser downloaded. */
  async exportCsv(): Promise<DownloadedFile> {
    const downloaded = this.page.waitForEvent('download');
    await this.page.getByTestId('history-export').click();
    const download = await downloaded;
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
    }
    return { fileName: download.suggestedFilename(), content: Buffer.concat(chunks).toString('utf8') };
  }
}
