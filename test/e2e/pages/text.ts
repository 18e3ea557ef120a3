// Reading the words of an element the way a screen reader does: icons such as ✔, ✘ and ⚠ sit
// in aria-hidden spans beside the words, so they are left out.
import type { Locator } from 'playwright-core';

/** Returns the element's text without its aria-hidden parts, trimmed. */
export async function textWithoutIcons(locator: Locator): Promise<string> {
  const text = await locator.evaluate((element) => {
    const walker = element.ownerDocument.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let words = '';
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      if (node.parentElement?.closest('[aria-hidden="true"]') === null) {
        words += node.textContent ?? '';
      }
    }
    return words;
  });
  return text.trim();
}

/** Returns textWithoutIcons of the element, or null when the page has no such element. */
export async function optionalText(locator: Locator): Promise<string | null> {
  if ((await locator.count()) === 0) {
    return null;
  }
  return textWithoutIcons(locator);
}
