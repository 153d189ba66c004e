// First: configures zod before any snapshot is parsed.
import '../shared/strictCsp';
import { createRoot } from 'react-dom/client';
import { linkCodicons } from '../shared/elements';
import { App } from './App';
import { startPlanView } from './usePlanView';
import './plan.css';

// Marks for the bench (test/bench/plan-graph.mjs): where the time to first render goes.
performance.mark('fleetai:start');
linkCodicons();
// The first request leaves before React renders anything.
const started = startPlanView();
const root = document.getElementById('root');
if (root) createRoot(root).render(<App started={started} />);
