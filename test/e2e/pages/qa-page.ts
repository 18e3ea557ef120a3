// The QA station's pages: the station mode in the setup form, the header's mode badge, and the
// QA screen, where each port's card shows its unit's checklist.
import type { Locator, Page } from 'playwright-core';
import { optionalText, textWithoutIcons } from './text';

/** One row of a card's checklist, read from its test ids and data attributes. */
export interface CheckRowView {
  /** The check, such as stored-credential, from data-check. */
  check: string | null;
  /** passed, failed, deferred, not-applicable or not-run, from data-verdict. */
  verdict: string | null;
  name: string;
  /** PASS, FAIL, WAITING, N/A or NOT RUN. */
  verdictText: string;
  reasonText: string | null;
  actionText: string | null;
}

/** What a QA card shows. */
export interface QaCardView {
  port: string;
  /** pass, fail, pending, running, waiting or idle. */
  tone: string | null;
  unitName: string;
  hardwareId: string;
  /** passed, failed or pending, from data-result; null while the unit has no result. */
  result: string | null;
  /** PASS, FAIL or QA pending server check. */
  resultText: string | null;
  checks: CheckRowView[];
}

export class QaPage {
  constructor(private readonly page: Page) {}

  /** Chooses the station mode on the setup form; the caller saves the form. */
  async chooseMode(mode: 'provision' | 'qa'): Promise<void> {
    await this.page.getByTestId(`setup-mode-${mode}`).check();
  }

  /** Chooses "Work offline" on the setup form, after fill() chose the server; the caller saves the form. */
  async chooseOffline(): Promise<void> {
    await this.page.getByTestId('setup-server-mode-offline').check();
  }

  /** Returns the header's mode badge: its data-mode and its words. */
  async headerMode(): Promise<{ mode: string | null; text: string }> {
    const badge = this.page.getByTestId('header-mode');
    return { mode: await badge.getAttribute('data-mode'), text: await textWithoutIcons(badge) };
  }

  /** Returns the words of the main screen's navigation button, "QA" on a QA station. */
  async screenButtonText(): Promise<string> {
    return textWithoutIcons(this.page.getByTestId('nav-provision'));
  }

  /** Waits until the unit on `port` has a result with its checklist, and returns its card. */
  async waitForResult(port: string): Promise<QaCardView> {
    const card = this.cardLocator(port);
    await card.getByTestId('port-card-result').waitFor();
    await card.getByTestId('port-card-checks').waitFor();
    return this.card(port);
  }

  async card(port: string): Promise<QaCardView> {
    const card = this.cardLocator(port);
    const result = card.getByTestId('port-card-result');
    return {
      port,
      tone: await card.getAttribute('data-tone'),
      unitName: await textWithoutIcons(card.getByTestId('port-card-unit')),
      hardwareId: await textWithoutIcons(card.getByTestId('port-card-hardware-id')),
      result: (await result.count()) === 0 ? null : await result.getAttribute('data-result'),
      resultText: await optionalText(result),
      checks: await this.checkRows(card),
    };
  }

  private async checkRows(card: Locator): Promise<CheckRowView[]> {
    const rows: CheckRowView[] = [];
    for (const row of await card.getByTestId('qa-check').all()) {
      rows.push({
        check: await row.getAttribute('data-check'),
        verdict: await row.getAttribute('data-verdict'),
        name: await textWithoutIcons(row.getByTestId('qa-check-name')),
        verdictText: await textWithoutIcons(row.getByTestId('qa-check-verdict')),
        reasonText: await optionalText(row.getByTestId('qa-check-reason')),
        actionText: await optionalText(row.getByTestId('qa-check-action')),
      });
    }
    return rows;
  }

  private cardLocator(port: string): Locator {
    // A JSON string is also a valid CSS string, so any path can go into the attribute selector.
    return this.page.locator(`[data-testid="port-card"][data-port=${JSON.stringify(port)}]`);
  }
}
