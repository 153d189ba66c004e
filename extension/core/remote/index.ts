export * from './remoteSupervisor';
export * from './routes';
export * from './chatRoutes';
