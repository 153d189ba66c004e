/**
 * The model SDKs in one module. The bundles load it from its own file (`dist/model.js`, see
 * extension/build/bundle.mjs) only when a model is called: the `fleet` CLI and the extension host start without
 * compiling about a megabyte of SDK code they mostly never run.
 */
export * as agents from '@openai/agents';
export * as openai from 'openai';
