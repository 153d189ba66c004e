// Bundled by test/bench/tree-refresh.mjs with `vscode` aliased to ./vscodeShim.cjs.
export { AgentsTreeProvider } from '../../../extension/vscode/agentsTree';
export { ApprovalsTreeProvider } from '../../../extension/vscode/approvalsTree';
