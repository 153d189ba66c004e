// First: configures zod before any snapshot is parsed.
import '../shared/strictCsp';
import { createRoot } from 'react-dom/client';
import { linkCodicons } from '../shared/elements';
import { App } from './App';
import './dashboard.css';

// Marks for the bench (test/bench/webview-render.mjs): where the time to first render goes.
performance.mark('fleetai:start');
linkCodicons();
const root = document.getElementById('root');
if (root) createRoot(root).render(<App />);
