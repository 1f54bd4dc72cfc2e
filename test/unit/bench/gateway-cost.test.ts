/** The gateway fleet's monthly cost: arithmetic of the price table, checked by hand here. */
import { describe, expect, it } from 'vitest';
import { gatewayFleetMonthly, nlbCapacityUnits, SMALL_FLEET } from '../../../bench/lib/gateway-cost.js';
import { PRICES } from '../../../bench/lib/prices.js';

describe('gateway fleet cost', () => {
  it('prices the idle default fleet from the table', () => {
    // Act
    const cost = gatewayFleetMonthly(SMALL_FLEET);

    // Assess: 2 tasks × (0.25 × 0.03238 + 0.5 × 0.00356) × 730 h
    expect(cost.fargate).toBeCloseTo(2 * (0.25 * 0.03238 + 0.5 * 0.00356) * 730, 6);
    expect(cost.nlbHours).toBeCloseTo(0.0225 * 730, 6);
    expect(cost.nat).toBeCloseTo(0.045 * 730 + 1 * 0.045, 6);
    expect(cost.publicIpv4).toBeCloseTo(3 * 0.005 * 730, 6);
    expect(cost.total).toBeCloseTo(Object.entries(cost).filter(([k]) => k !== 'total').reduce((s, [, v]) => s + v, 0), 9);
    expect(cost.total).toBeGreaterThan(60);
    expect(cost.total).toBeLessThan(90);
  });

  it('bills NLB capacity on the largest dimension, with smaller units on a TLS listener', () => {
    // Prepare
    const busy = { ...SMALL_FLEET, ingestMiBps: 1, egressMiBps: 2 };

    // Act
    const tcp = nlbCapacityUnits(busy);
    const tlsConnections = nlbCapacityUnits({ ...SMALL_FLEET, tls: 'nlb', activeConnections: 6000 });

    // Assess: 3 MiB/s is 10.55 GiB an hour; 6,000 TLS connections are 2 NLCUs
    expect(tcp).toBeCloseTo((3 * 3600) / 1024, 6);
    expect(tlsConnections).toBeCloseTo(2, 6);
    expect(gatewayFleetMonthly(busy).nlbCapacity).toBeCloseTo(tcp * PRICES.nlb.perNlcuHour * 730, 6);
  });

  it('costs more on x86 than on ARM', () => {
    // Act / Assess
    expect(gatewayFleetMonthly({ ...SMALL_FLEET, arch: 'x86' }).fargate).toBeGreaterThan(gatewayFleetMonthly(SMALL_FLEET).fargate);
  });
});
