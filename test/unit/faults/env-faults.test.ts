/** FLOE_FAULTS is configuration too: a bad value is INVALID_CONFIG naming the variable. */
import { describe, expect, it } from 'vitest';
import { parseEnvFaultPlan } from '../../../src/faults/env-faults.js';

describe('parseEnvFaultPlan', () => {
  it('reads a plan with a seed', () => {
    // Act
    const plan = parseEnvFaultPlan('{"seed":3,"errorRate":0.5,"enabled":false}');

    // Assess
    expect(plan).toEqual({ seed: 3, errorRate: 0.5, enabled: false });
  });

  it('reads a latency mode', () => {
    // Act
    const plan = parseEnvFaultPlan('{"seed":3,"latencyMode":"floor"}');

    // Assess
    expect(plan.latencyMode).toBe('floor');
  });

  it.each(['{seed:1}', 'null', '{"errorRate":1}', '{"seed":1.5}', '{"seed":1,"latencyMode":"max"}'])('refuses %s with INVALID_CONFIG naming FLOE_FAULTS', (raw) => {
    // Act
    const act = () => parseEnvFaultPlan(raw);

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('FLOE_FAULTS') }));
  });
});
