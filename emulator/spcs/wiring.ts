/**
 * Connects the simulation's parts through Sim.hooks: the one module that sees deploy.ts,
 * services.ts and pools.ts together.
 */
import { onBuildFinished, onServiceDropped, onServiceStatusChanged } from './deploy.js';
import { finishPoolStopIfDone, startInstance } from './services.js';
import type { Sim } from './sim.js';

export function wireSimulation(sim: Sim): void {
  sim.hooks = {
    buildFinished: onBuildFinished,
    serviceStatusChanged: onServiceStatusChanged,
    serviceDropped: onServiceDropped,
    startInstance,
    finishPoolStopIfDone,
  };
}
