import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import './styles/base.css';
import './styles/layout.css';
import './styles/status.css';
import './styles/forms.css';
import './styles/tables.css';
import './styles/dialog.css';
import './styles/auth.css';
import './styles/workflows.css';
import './styles/executions.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
