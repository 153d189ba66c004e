export * from './remoteSupervisor';
