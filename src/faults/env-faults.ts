/**
 * FLOE_FAULTS: a JSON StorageFaultPlan (storage-faults.ts) that installs the
 * seeded storage fault layer on a handler process's AWS clients, so chaos runs
 * can inject faults into real `floe serve` processes without touching domain code.
 * `"enabled": false` starts it off. SIGUSR2 toggles it, and each toggle prints
 * one JSON line `{"faults":{enabled, errors, throttles, ...}}` on stdout so the
 * runner can count what was injected.
 */
import { FloeError } from '@floe/protocol';
import type { AwsClients } from '../aws/clients.js';
import { StorageFaults, type StorageFaultPlan } from './storage-faults.js';

export interface EnvFaultPlan extends StorageFaultPlan {
  enabled?: boolean;
}

let faults: StorageFaults | undefined;
let enabled = true;

export function parseEnvFaultPlan(raw: string): EnvFaultPlan {
  let plan: EnvFaultPlan | null;
  try {
    plan = JSON.parse(raw) as EnvFaultPlan | null;
  } catch (error) {
    throw new FloeError('INVALID_CONFIG', `environment variable FLOE_FAULTS is not JSON: ${(error as Error).message}`);
  }
  if (typeof plan !== 'object' || plan === null || !Number.isInteger(plan.seed)) {
    throw new FloeError('INVALID_CONFIG', 'environment variable FLOE_FAULTS must be a JSON StorageFaultPlan with an integer seed');
  }
  if (plan.latencyMode !== undefined && plan.latencyMode !== 'added' && plan.latencyMode !== 'floor') {
    throw new FloeError('INVALID_CONFIG', `environment variable FLOE_FAULTS: latencyMode must be "added" or "floor", got ${JSON.stringify(plan.latencyMode)}`);
  }
  return plan;
}

/** The process's fault layer, if FLOE_FAULTS is set (one per process, shared by every set of clients). */
export function envFaults(env: NodeJS.ProcessEnv = process.env): StorageFaults | undefined {
  const raw = env.FLOE_FAULTS;
  if (!raw) return undefined;
  if (faults) return faults;
  const plan = parseEnvFaultPlan(raw);
  faults = new StorageFaults(plan);
  enabled = plan.enabled ?? true;
  faults.setEnabled(enabled);
  process.on('SIGUSR2', () => {
    enabled = !enabled;
    faults?.setEnabled(enabled);
    process.stdout.write(`${JSON.stringify({ faults: { enabled, ...faults?.stats } })}\n`);
  });
  return faults;
}

/** Installs the FLOE_FAULTS layer on these clients; a no-op without FLOE_FAULTS. */
export function installEnvFaults(clients: AwsClients): void {
  envFaults()?.install(clients);
}
