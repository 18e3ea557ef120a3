// The app's frame: header with the screens and the sync badge, the alert region, and the open
// screen, or the first-run setup until the station is set up.
import { useEffect, type ComponentType } from 'react';
import { UI_STRINGS } from '../../shared/messages';
import { StoresProvider, useFeature, useStores } from './app/context';
import { startStores, type Stores } from './app/stores';
import { AlertRegion } from './features/alerts/AlertRegion';
import { HistoryScreen } from './features/history/HistoryScreen';
import { ProvisionScreen } from './features/provision/ProvisionScreen';
import { QueueScreen } from './features/queue/QueueScreen';
import { SettingsScreen } from './features/settings/SettingsScreen';
import { FirstRun } from './features/setup/FirstRun';
import { ErrorBoundary } from './features/shell/ErrorBoundary';
import { Nav } from './features/shell/Nav';
import { StationModeBadge } from './features/shell/StationModeBadge';
import { ConnectionBanner, ServicesBanner } from './features/shell/StatusBanners';
import type { View } from './features/shell/store';
import { SyncBadge } from './features/sync/SyncBadge';

/** `stores` is undefined when the page has no StationApi, such as a page opened outside the app. */
export function App({ stores }: { stores: Stores | undefined }) {
  if (stores === undefined) {
    return (
      <div className="app">
        <Header configured={false} />
        <main className="app-main">
          <p className="banner banner-error" role="alert" data-testid="no-bridge">
            {UI_STRINGS.noBridge}
          </p>
        </main>
      </div>
    );
  }
  return (
    <StoresProvider stores={stores}>
      <Station />
    </StoresProvider>
  );
}

function Station() {
  const stores = useStores();
  const configured = useFeature('setup', (state) => state.saved?.configured);

  useEffect(() => startStores(stores), [stores]);

  let content = <SetupPending />;
  if (configured === true) {
    content = <OpenScreen />;
  } else if (configured === false) {
    content = <FirstRun />;
  }

  return (
    <div className="app">
      <Header configured={configured === true} />
      <AlertRegion />
      <ConnectionBanner />
      <ServicesBanner />
      <main className="app-main">{content}</main>
    </div>
  );
}

function Header({ configured }: { configured: boolean }) {
  return (
    <header className="app-header">
      <h1 className="app-title">{UI_STRINGS.title}</h1>
      {configured && <StationModeBadge />}
      {configured && <Nav />}
      {configured && <SyncBadge />}
    </header>
  );
}

/** Shown until setupGet returns. When it fails, a retry button keeps the window from staying blank. */
function SetupPending() {
  const status = useFeature('setup', (state) => state.status);
  const load = useFeature('setup', (state) => state.load);

  if (status === 'failed') {
    return (
      <div className="pending">
        <button type="button" data-testid="setup-retry" onClick={() => void load()}>
          {UI_STRINGS.retry}
        </button>
      </div>
    );
  }
  return (
    <p className="pending" role="status" data-testid="loading">
      {UI_STRINGS.loading}
    </p>
  );
}

const SCREENS: Record<View, ComponentType> = {
  provision: ProvisionScreen,
  queue: QueueScreen,
  history: HistoryScreen,
  settings: SettingsScreen,
};

function OpenScreen() {
  const view = useFeature('shell', (state) => state.view);
  const Screen = SCREENS[view];
  return (
    <ErrorBoundary resetKey={view}>
      <Screen />
    </ErrorBoundary>
  );
}
