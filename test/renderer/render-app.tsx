// Renders the whole renderer over a FakeStation, as the desktop app does over window.station.
import { act, render, type RenderResult } from '@testing-library/react';
import { App } from '../../src/renderer/src/App';
import { createStores, type CreateStoresOptions, type Stores } from '../../src/renderer/src/app/stores';
import type { FakeStation } from './fake-station';

export function renderApp(station: FakeStation, options: CreateStoresOptions = {}): RenderResult & { stores: Stores } {
  const stores = createStores(station, options);
  return { ...render(<App stores={stores} />), stores };
}

export function renderWithoutStation(): RenderResult {
  return render(<App stores={undefined} />);
}

/** Lets every pending call of the FakeStation settle and React render the result. */
export async function settle(): Promise<void> {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}
