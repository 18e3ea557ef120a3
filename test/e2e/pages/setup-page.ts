// The setup form, as a supervisor fills it on the first-run screen.
import type { Page } from 'playwright-core';
import { textWithoutIcons } from './text';

export interface SetupEntries {
  stationId: string;
  server: { url: string; username: string; password: string };
  credentialType: 'token' | 'mqtt-basic' | 'x509';
  /** Names from a naming rule, or from scanned serial numbers that match a pattern. */
  naming: { rule: string } | { scanPattern: string };
  portPaths: string[];
  pin: string;
}

export class SetupPage {
  constructor(private readonly page: Page) {}

  /** Waits for the first-run screen, which a station without a setup shows. */
  async waitForFirstRun(): Promise<void> {
    await this.page.getByTestId('first-run').waitFor();
  }

  /** Fills every field of the form that `entries` gives, leaving the others at their defaults. */
  async fill(entries: SetupEntries): Promise<void> {
    const page = this.page;
    await page.getByTestId('setup-station-id').fill(entries.stationId);

    await page.getByTestId('setup-server-mode-online').check();
    await page.getByTestId('setup-server-url').fill(entries.server.url);
    await page.getByTestId('setup-auth-password').check();
    await page.getByTestId('setup-username').fill(entries.server.username);
    await page.getByTestId('setup-password').fill(entries.server.password);

    await page.getByTestId('setup-credential-type').selectOption(entries.credentialType);

    if ('rule' in entries.naming) {
      await page.getByTestId('setup-naming-mode-rule').check();
      await page.getByTestId('setup-naming-rule').fill(entries.naming.rule);
    } else {
      await page.getByTestId('setup-naming-mode-scan').check();
      await page.getByTestId('setup-naming-pattern').fill(entries.naming.scanPattern);
    }

    await page.getByTestId('setup-port-paths').fill(entries.portPaths.join('\n'));

    await page.getByTestId('setup-new-pin').fill(entries.pin);
    await page.getByTestId('setup-new-pin-repeat').fill(entries.pin);
  }

  /**
   * Presses "Save and start" on the first-run screen and waits for the provisioning screen.
   * Throws with the form's messages, or the alert, when the setup was rejected instead.
   */
  async saveFirstRun(): Promise<void> {
    const page = this.page;
    await page.getByTestId('setup-save').click();

    const rejected = page.getByTestId('setup-invalid').or(page.getByTestId('alert'));
    await page.getByTestId('provision-screen').or(rejected).first().waitFor();
    if ((await rejected.count()) > 0) {
      const messages: string[] = [];
      for (const message of await page.locator('[data-testid^="field-error-"], [data-testid="setup-errors"], [data-testid="alert-text"]').all()) {
        messages.push(await textWithoutIcons(message));
      }
      throw new Error(`the first-run setup was rejected: ${messages.join(' | ')}`);
    }
  }
}
