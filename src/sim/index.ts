/** The simulated qmail host: a realistic mail log with its exact truth (docs/simulator.md). */
export { createSimulatedHost } from './host.js';
export type { SimOptions, SimProfile, SimulatedHost } from './host.js';
export { startLiveWriter, writeSimulatedLog } from './writer.js';
export type { LiveWriter, LiveWriterOptions } from './writer.js';
export type { Actors, Truth } from './truth.js';
