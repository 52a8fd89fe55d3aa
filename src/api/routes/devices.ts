/** Devices (operator): the southbound inventory with reachability (and its replacement), and the audit of their configuration against the store. */
import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { DeviceService } from '../../services/southbound/index.js';
import * as S from '../schemas.js';
import { principalOf } from '../access.js';

export const Device = Type.Object({
  siteId: Type.String(),
  nodeId: Type.String({ description: 'OpenROADM node-id' }),
  kind: Type.Union([Type.Literal('roadm'), Type.Literal('xpdr')], { description: 'roadm (a POP) or xpdr (a transponder shelf at a data center or cloud on-ramp)' }),
  host: Type.String(),
  port: Type.Integer({ description: 'NETCONF over SSH' }),
  model: Type.Union([Type.String(), Type.Null()]),
  reachable: Type.Union([Type.Boolean(), Type.Null()], { description: 'As this server last saw it; null when it does not drive devices (--driver emulator) or has not tried yet' }),
  since: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When reachability last changed' }),
  lastError: Type.Union([Type.String(), Type.Null()], { description: 'Why it was last unreachable' }),
});

/** A device as registered: where its NETCONF server answers (credentials are never part of it). */
export const DeviceRegistration = Type.Object(
  {
    siteId: Type.String({ minLength: 1, maxLength: 200 }),
    nodeId: Type.String({ minLength: 1, maxLength: 200, description: 'OpenROADM node-id' }),
    kind: Type.Union([Type.Literal('roadm'), Type.Literal('xpdr')]),
    host: Type.String({ minLength: 1, maxLength: 255 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    model: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  },
  { additionalProperties: false },
);

const Connection = Type.Object({ name: Type.String(), srcIf: Type.String(), dstIf: Type.String(), frequencyThz: Type.Union([Type.String(), Type.Null()]), widthGhz: Type.Union([Type.String(), Type.Null()]), circuitId: Type.Union([Type.String(), Type.Null()]) });
const Line = Type.Object({ name: Type.String(), frequencyThz: Type.Union([Type.String(), Type.Null()]), circuitId: Type.Union([Type.String(), Type.Null()]) });

export const DeviceAudit = Type.Object({
  clean: Type.Boolean({ description: 'Every device reachable and carrying exactly what the store says; every live wave configured' }),
  devices: Type.Array(
    Type.Object({
      siteId: Type.String(),
      nodeId: Type.String(),
      reachable: Type.Boolean(),
      error: Type.Optional(Type.String()),
      missing: Type.Array(Connection, { description: 'Cross-connects the store expects that the device does not run' }),
      extra: Type.Array(Connection, { description: 'Cross-connects the device runs that no live service explains' }),
      different: Type.Array(Type.Object({ expected: Connection, actual: Connection, fields: Type.Array(Type.String()) })),
      missingLines: Type.Array(Line, { description: 'Transponder line interfaces the store expects that are not there' }),
      differentLines: Type.Array(Type.Object({ expected: Line, actual: Line, fields: Type.Array(Type.String()) })),
    }, { additionalProperties: true }),
  ),
  services: Type.Array(Type.Object({ serviceId: Type.String(), problem: Type.String() }), { description: 'Live waves whose design the devices do not carry (a reconfiguration pending or refused)' }),
});

/** GET /v1/devices, PUT /v1/devices, GET /v1/devices/audit. */
export async function deviceRoutes(app: AppInstance, { devices }: { devices: DeviceService }): Promise<void> {
  app.get('/v1/devices', {
    config: { access: 'operator' },
    schema: { operationId: 'listDevices', tags: ['devices'], summary: 'Devices: site, node id, host, port, model and reachability', response: { 200: Type.Object({ items: Type.Array(Device) }), ...S.errorResponses(401, 403) } },
  }, async () => ({ items: await devices.list() }));

  app.put('/v1/devices', {
    config: { access: 'operator' },
    schema: {
      operationId: 'replaceDevices',
      tags: ['devices'],
      summary: 'Replace the device inventory (one device per site; audited). A server driving devices picks the change up within seconds.',
      body: Type.Object({ items: Type.Array(DeviceRegistration, { maxItems: 10_000 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(DeviceRegistration) }), ...S.errorResponses(400, 401, 403) },
    },
  }, async (req) => ({ items: await devices.register(principalOf(req), req.body.items) }));

  app.get('/v1/devices/audit', {
    config: { access: 'operator' },
    schema: {
      operationId: 'auditDevices',
      tags: ['devices'],
      summary: "Read every device's running configuration and compare it with what the store says it should carry (missing, extra, different cross-connects)",
      response: { 200: DeviceAudit, ...S.errorResponses(401, 403, 409) },
    },
  }, async () => devices.audit());
}
