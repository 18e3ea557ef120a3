// The Settings screen: the PIN prompt while locked, the setup form once unlocked.
import type { Page } from 'playwright-core';
import { optionalText } from './text';

export class SettingsPage {
  constructor(private readonly page: Page) {}

  /** Waits for the screen and for one of its two faces: the PIN prompt or the form. */
  async waitForScreen(): Promise<void> {
    await this.page.getByTestId('settings-screen').waitFor();
    await this.page.locator('[data-testid="settings-screen"] :is([data-testid="settings-unlock"], [data-testid="setup-form"])').first().waitFor();
  }

  async isLocked(): Promise<boolean> {
    return (await this.page.getByTestId('settings-unlock').count()) > 0;
  }

  async isFormShown(): Promise<boolean> {
    return (await this.page.getByTestId('setup-form').count()) > 0;
  }

  /** Types the PIN and presses Unlock; the caller waits for the form or for the prompt's error. */
  async unlock(pin: string): Promise<void> {
    await this.page.getByTestId('settings-unlock-pin').fill(pin);
    await this.page.getByTestId('settings-unlock-submit').click();
  }

  async waitForUnlockError(): Promise<void> {
    await this.page.getByTestId('settings-unlock-error').waitFor();
  }

  async waitForForm(): Promise<void> {
    await this.page.locator('[data-testid="settings-screen"] [data-testid="setup-form"]').waitFor();
  }

  /** Returns the prompt's error, such as "Wrong PIN", or null when there is none. */
  async unlockError(): Promise<string | null> {
    return optionalText(this.page.getByTestId('settings-unlock-error'));
  }

  /** Returns what the PIN field contains, which a wrong PIN empties for the next try. */
  async pinFieldValue(): Promise<string> {
    return this.page.getByTestId('settings-unlock-pin').inputValue();
  }

  /** Presses Lock, and waits for the PIN prompt. */
  async lock(): Promise<void> {
    await this.page.getByTestId('settings-lock').click();
    await this.page.getByTestId('settings-unlock').waitFor();
  }
}
