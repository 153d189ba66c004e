// First: configures zod before any snapshot is parsed.
import '../shared/strictCsp';
import { createRoot } from 'react-dom/client';
import { linkCodicons } from '../shared/elements';
import { startHostView } from '../shared/useHostView';
import { App } from './App';
import { dashboardSpec } from './spec';
import './dashboard.css';

// Marks for the bench (test/bench/webview-render.mjs): where the time to first render goes.
performance.mark('fleetai:start');
linkCodicons();
// The first request leaves before React renders anything.
const started = startHostView(dashboardSpec);
const root = document.getElementById('root');
if (root) createRoot(root).render(<App started={started} />);
