// The provisioning screen: one card per port, the shift counters and the scan input.
import type { Locator, Page } from 'playwright-core';
import { optionalText, textWithoutIcons } from './text';

/** What a port's card shows, read from its test ids and data attributes. */
export interface CardView {
  port: string;
  /** PortJob.state: running, waiting-for-scan, waiting-for-device or done. */
  state: string | null;
  /** pass, fail, running, waiting or idle. */
  tone: string | null;
  unitName: string;
  hardwareId: string;
  /** The large PASS or FAIL, or null while the unit has no result. */
  resultText: string | null;
  /** passed or failed, or null while the unit has no result. */
  result: string | null;
  /** The status line shown instead of a result, such as "Scan the serial number". */
  statusText: string | null;
  reasonText: string | null;
  actionText: string | null;
  stepText: string | null;
}

/** The watches of watchCard, kept on the page's window by card selector. */
interface PageWatches {
  cardWatches?: Record<string, Promise<{ addedAt: number; resultAt: number }>>;
}

export interface CardTimes {
  /**
   * Resolves, once the card shows a result, to the Unix times in milliseconds (the page's
   * clock) at which the card and its result were added. It never resolves when they are not.
   */
  settled(): Promise<{ addedAt: number; resultAt: number }>;
}

export interface ScanMessageView {
  /** accepted, rejected, or empty before the first scan. */
  tone: string;
  text: string;
}

export class ProvisionPage {
  constructor(private readonly page: Page) {}

  async waitForScreen(): Promise<void> {
    await this.page.getByTestId('provision-screen').waitFor();
  }

  /** Waits until the card of `port` is on the screen. */
  async waitForCard(port: string): Promise<void> {
    await this.cardLocator(port).waitFor();
  }

  /**
   * Starts watching the page for the card of `port`; call it before the port appears. The
   * returned times are the page's Date.now() at the DOM mutation that added the card and the
   * one that added its result, before the browser paints them. Unlike the waitFor methods,
   * they are not rounded up to Playwright's retry intervals (0, 20, 50, 100, 100, then every
   * 500 ms in playwright-core 1.65).
   */
  async watchCard(port: string): Promise<CardTimes> {
    const selector = cardSelector(port);
    await this.page.evaluate(
      ({ selector, resultSelector }) => {
        const watches = ((window as unknown as PageWatches).cardWatches ??= {});
        watches[selector] = new Promise((resolve) => {
          let addedAt: number | undefined;
          // No named functions in here: tsx wraps them in a __name helper that the page lacks.
          new MutationObserver((_mutations, observer) => {
            const card = document.querySelector(selector);
            addedAt ??= card === null ? undefined : Date.now();
            if (addedAt !== undefined && card !== null && card.querySelector(resultSelector) !== null) {
              observer.disconnect();
              resolve({ addedAt, resultAt: Date.now() });
            }
          }).observe(document.body, { childList: true, subtree: true });
        });
      },
      { selector, resultSelector: '[data-testid="port-card-result"]' },
    );
    return {
      settled: () => this.page.evaluate((selector) => (window as unknown as Required<PageWatches>).cardWatches[selector] as Promise<{ addedAt: number; resultAt: number }>, selector),
    };
  }

  /** Waits until the unit on `port` has a result, PASS or FAIL, and returns its card. */
  async waitForResult(port: string): Promise<CardView> {
    await this.cardLocator(port).getByTestId('port-card-result').waitFor();
    return this.card(port);
  }

  /** Waits until the unit on `port` waits for its scanned serial number, and returns its card. */
  async waitForScanRequest(port: string): Promise<CardView> {
    await this.page.locator(`${cardSelector(port)}[data-state="waiting-for-scan"]`).waitFor();
    return this.card(port);
  }

  async card(port: string): Promise<CardView> {
    const card = this.cardLocator(port);
    const result = card.getByTestId('port-card-result');
    return {
      port,
      state: await card.getAttribute('data-state'),
      tone: await card.getAttribute('data-tone'),
      unitName: await textWithoutIcons(card.getByTestId('port-card-unit')),
      hardwareId: await textWithoutIcons(card.getByTestId('port-card-hardware-id')),
      resultText: await optionalText(result),
      result: (await result.count()) === 0 ? null : await result.getAttribute('data-result'),
      statusText: await optionalText(card.getByTestId('port-card-status')),
      reasonText: await optionalText(card.getByTestId('port-card-reason')),
      actionText: await optionalText(card.getByTestId('port-card-action')),
      stepText: await optionalText(card.getByTestId('port-card-step')),
    };
  }

  async passedCount(): Promise<number> {
    return Number(await this.page.getByTestId('shift-passed').textContent());
  }

  async failedCount(): Promise<number> {
    return Number(await this.page.getByTestId('shift-failed').textContent());
  }

  /** Tells whether the scan input has the keyboard focus, where a barcode scanner types. */
  async scanInputFocused(): Promise<boolean> {
    return this.page.getByTestId('scan-input').evaluate((input) => input === document.activeElement);
  }

  /**
   * Types `serial` and Enter on the keyboard, as a barcode scanner in keyboard mode does: into
   * whatever has the focus, which the screen keeps on the scan input. The caller first checks
   * scanInputFocused, so a lost focus fails as such and not as a missing scan.
   */
  async scan(serial: string): Promise<void> {
    await this.page.keyboard.type(serial);
    await this.page.keyboard.press('Enter');
  }

  async scanMessage(): Promise<ScanMessageView> {
    const message = this.page.getByTestId('scan-message');
    return {
      tone: (await message.getAttribute('data-tone')) ?? '',
      text: await textWithoutIcons(message),
    };
  }

  private cardLocator(port: string): Locator {
    return this.page.locator(cardSelector(port));
  }
}

/** Builds the selector of a port's card. A JSON string is also a valid CSS string, so any path fits into it. */
function cardSelector(port: string): string {
  return `[data-testid="port-card"][data-port=${JSON.stringify(port)}]`;
}
