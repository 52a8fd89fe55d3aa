/**
 * Waves lit for transfers (the Owan idea): when spare trunk capacity does not carry a transfer by its
 * deadline, the scheduler may light an express wave between its two sites on free spectrum for the
 * hours it needs. The wave's spectrum is held as ordinary time-bounded spectrum allocations owned by the
 * transfer (role `transfer`, with their channel, so the QoT state of every later plan counts the wave as
 * lit: migration 010), under the same exclusion constraint as every service. `waves` keeps what the view
 * and the next decision need: route, mode, frequency, capacity, setup slots and the runs it is lit in
 * ([{id, linkId, spanIds, siteIds, lengthKm, latencyUs, capacityGbps, modeId, centerFrequencyGhz,
 * gsnrDb, setupSlots, runs: [{fromSlot, toSlot}]}], slots since the Unix epoch).
 */
export const transferWaves = `
ALTER TABLE transfers ADD COLUMN waves jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(waves) = 'array');
`;
