export { FleetMetrics, COMMAND_RESULTS, MCP_STATES, branchOf } from './fleetMetrics';
export type { MetricsSource, MetricsPane, MetricsPaneMeta, MetricsPendingApproval } from './fleetMetrics';
export { startMetricsServer, isLoopback } from './metricsServer';
export type { Health, MetricsServer, MetricsServerOptions } from './metricsServer';
export { SupervisorMetrics, supervisorView } from './supervisorMetrics';
export type { MetricsApprovalStore, SupervisorView } from './supervisorMetrics';
