import { useEffect } from 'react';
import { UI_STRINGS as STRINGS } from '../../shared/messages';
import { useAppInfo } from './store';

export function App() {
  const { info, bridgeMissing, load } = useAppInfo();

  useEffect(() => {
    void load();
  }, [load]);

  let status: string;
  if (bridgeMissing) {
    status = STRINGS.noBridge;
  } else if (info === undefined) {
    status = STRINGS.loading;
  } else if (!info.servicesReady) {
    status = `${STRINGS.servicesDown} ${info.reason ?? ''}`;
  } else {
    status = STRINGS.version(info.version);
  }

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 32 }}>
      <h1>{STRINGS.title}</h1>
      <p role="status">{status}</p>
    </main>
  );
}
