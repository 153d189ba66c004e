declare const FLEETAI_VERSION: string | undefined;

/** Injected at build time by esbuild (and by vitest's `define`) from package.json. */
export const fleetVersion: string = typeof FLEETAI_VERSION === 'string' ? FLEETAI_VERSION : '0.0.0-dev';
