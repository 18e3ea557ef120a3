import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getStation } from './api/transport';
import { createStores } from './app/stores';
import './styles/base.css';
import './styles/screens.css';
import './styles/qa.css';

const container = document.getElementById('root');
if (container !== null) {
  const api = getStation();
  createRoot(container).render(
    <StrictMode>
      <App stores={api === undefined ? undefined : createStores(api)} />
    </StrictMode>,
  );
}
