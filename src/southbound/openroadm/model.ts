/**
 * The OpenROADM 18.0 YANG modules this code speaks, transcribed from the models (OpenROADM/
 * OpenROADM_MSA_Public release 18.0.0, commit fca7f0d1; the copy in ../shared/data/openroadm/model):
 * module names, namespaces, prefixes and latest revisions, and, for the datastore, which nodes are
 * lists (with their keys) and leaf-lists. The product needs these at run time without the YANG
 * files; test/southbound/model.test.ts checks this transcription against the models with yanglint.
 */

/** A YANG module: what a NETCONF hello advertises (RFC 6020 §5.6.4) and how identities are prefixed. */
export interface YangModule {
  name: string;
  namespace: string;
  prefix: string;
  revision: string;
}

/** Modules the emulated devices implement (device model, interface augments, alarms) and the type modules their identities come from. */
export const OPENROADM_MODULES: readonly YangModule[] = [
  { name: 'org-openroadm-device', namespace: 'http://org/openroadm/device', prefix: 'org-openroadm-device', revision: '2025-09-26' },
  { name: 'org-openroadm-interfaces', namespace: 'http://org/openroadm/interfaces', prefix: 'openROADM-if', revision: '2022-09-30' },
  { name: 'org-openroadm-media-channel-interfaces', namespace: 'http://org/openroadm/media-channel-interfaces', prefix: 'org-openroadm-media-channel-interfaces', revision: '2025-09-26' },
  { name: 'org-openroadm-network-media-channel-interfaces', namespace: 'http://org/openroadm/network-media-channel-interfaces', prefix: 'org-openroadm-network-media-channel-interfaces', revision: '2025-09-26' },
  { name: 'org-openroadm-optical-transport-interfaces', namespace: 'http://org/openroadm/optical-transport-interfaces', prefix: 'org-openroadm-optical-transport-interfaces', revision: '2025-09-26' },
  { name: 'org-openroadm-optical-multiplex-interfaces', namespace: 'http://org/openroadm/optical-multiplex-interfaces', prefix: 'org-openroadm-optical-multiplex-interfaces', revision: '2025-09-26' },
  { name: 'org-openroadm-optical-channel-interfaces', namespace: 'http://org/openroadm/optical-channel-interfaces', prefix: 'org-openroadm-optical-channel-interfaces', revision: '2025-09-26' },
  { name: 'org-openroadm-optical-tributary-signal-interfaces', namespace: 'http://org/openroadm/optical-channel-tributary-signal-interfaces', prefix: 'org-openroadm-optical-tributary-signal-interfaces', revision: '2025-09-26' },
  { name: 'org-openroadm-otsi-group-interfaces', namespace: 'http://org/openroadm/otsi-group-interfaces', prefix: 'org-openroadm-otsi-group-interfaces', revision: '2025-09-26' },
  { name: 'org-openroadm-otn-otu-interfaces', namespace: 'http://org/openroadm/otn-otu-interfaces', prefix: 'org-openroadm-otn-otu-interfaces', revision: '2025-09-26' },
  { name: 'org-openroadm-otn-odu-interfaces', namespace: 'http://org/openroadm/otn-odu-interfaces', prefix: 'org-openroadm-otn-odu-interfaces', revision: '2025-09-26' },
  { name: 'org-openroadm-ethernet-interfaces', namespace: 'http://org/openroadm/ethernet-interfaces', prefix: 'org-openroadm-eth-interfaces', revision: '2025-09-26' },
  { name: 'org-openroadm-alarm', namespace: 'http://org/openroadm/alarm', prefix: 'org-openroadm-alarm', revision: '2025-09-26' },
  { name: 'org-openroadm-common-optical-channel-types', namespace: 'http://org/openroadm/common-optical-channel-types', prefix: 'org-openroadm-common-optical-channel-types', revision: '2025-03-28' },
  { name: 'org-openroadm-common-types', namespace: 'http://org/openroadm/common-types', prefix: 'org-openroadm-common-types', revision: '2025-09-26' },
  { name: 'org-openroadm-otn-common-types', namespace: 'http://org/openroadm/otn-common-types', prefix: 'org-openroadm-otn-common-types', revision: '2021-09-24' },
];

/** Namespaces by short name, for building payloads. */
export const NS = {
  device: 'http://org/openroadm/device',
  interfaces: 'http://org/openroadm/interfaces',
  mc: 'http://org/openroadm/media-channel-interfaces',
  nmc: 'http://org/openroadm/network-media-channel-interfaces',
  ots: 'http://org/openroadm/optical-transport-interfaces',
  oms: 'http://org/openroadm/optical-multiplex-interfaces',
  och: 'http://org/openroadm/optical-channel-interfaces',
  otsi: 'http://org/openroadm/optical-channel-tributary-signal-interfaces',
  otsiGroup: 'http://org/openroadm/otsi-group-interfaces',
  otu: 'http://org/openroadm/otn-otu-interfaces',
  odu: 'http://org/openroadm/otn-odu-interfaces',
  eth: 'http://org/openroadm/ethernet-interfaces',
  alarm: 'http://org/openroadm/alarm',
  opticalChannelTypes: 'http://org/openroadm/common-optical-channel-types',
  commonTypes: 'http://org/openroadm/common-types',
  otnTypes: 'http://org/openroadm/otn-common-types',
} as const;

/** The capability URI a module is advertised with in a NETCONF hello (RFC 6020 §5.6.4). */
export function moduleCapability(m: YangModule): string {
  return `${m.namespace}?module=${m.name}&revision=${m.revision}`;
}

/** Prefix of a known module's namespace (for error-path and identity values). */
export function prefixOf(namespace: string): string | undefined {
  return OPENROADM_MODULES.find((m) => m.namespace === namespace)?.prefix;
}

/*
 * Schema paths are the local names of data nodes from the top-level node down, joined by '/'
 * (choices and cases, which are not data nodes, are left out), as yanglint's tree output shows
 * them for org-openroadm-device with the interface modules above and org-openroadm-alarm.
 */

/** Every list of the loaded modules (config and state) and its keys, in key order. */
export const LIST_KEYS: Readonly<Record<string, readonly string[]>> = {
  'org-openroadm-device/users/user': ['name'],
  'org-openroadm-device/shelves': ['shelf-name'],
  'org-openroadm-device/shelves/slots': ['slot-name'],
  'org-openroadm-device/circuit-packs': ['circuit-pack-name'],
  'org-openroadm-device/circuit-packs/sub-circuit-pack-mode': ['index'],
  'org-openroadm-device/circuit-packs/cp-slots': ['slot-name'],
  'org-openroadm-device/circuit-packs/ports': ['port-name'],
  'org-openroadm-device/circuit-packs/ports/supporting-port-list': ['index'],
  'org-openroadm-device/interface': ['name'],
  'org-openroadm-device/interface/odu/tcm': ['layer', 'tcm-direction'],
  'org-openroadm-device/interface/odu/opu/msi/tx-msi': ['trib-slot'],
  'org-openroadm-device/interface/odu/opu/msi/rx-msi': ['trib-slot'],
  'org-openroadm-device/interface/odu/opu/msi/exp-msi': ['trib-slot'],
  'org-openroadm-device/interface/odu/opu/opucn-msi/tx-msi': ['opucn-trib-slot'],
  'org-openroadm-device/interface/odu/opu/opucn-msi/rx-msi': ['opucn-trib-slot'],
  'org-openroadm-device/interface/odu/opu/opucn-msi/exp-msi': ['opucn-trib-slot'],
  'org-openroadm-device/interface/otsi-group/flexo-group-container/tx-msi': ['index'],
  'org-openroadm-device/interface/otsi-group/flexo-group-container/rx-msi': ['index'],
  'org-openroadm-device/interface/otsi-group/flexo-group-container/exp-msi': ['index'],
  'org-openroadm-device/internal-link': ['internal-link-name'],
  'org-openroadm-device/physical-link': ['physical-link-name'],
  'org-openroadm-device/external-link': ['external-link-name'],
  'org-openroadm-device/degree': ['degree-number'],
  'org-openroadm-device/degree/circuit-packs': ['index'],
  'org-openroadm-device/degree/connection-ports': ['index'],
  'org-openroadm-device/shared-risk-group': ['srg-number'],
  'org-openroadm-device/shared-risk-group/circuit-packs': ['index'],
  'org-openroadm-device/shared-risk-group/subgroup': ['subgroup-id'],
  'org-openroadm-device/shared-risk-group/subgroup/port-list': ['circuit-pack-name'],
  'org-openroadm-device/line-amplifier': ['amp-number'],
  'org-openroadm-device/line-amplifier/spectrum/channel': ['index'],
  'org-openroadm-device/line-amplifier/circuit-pack': ['index'],
  'org-openroadm-device/line-amplifier/line-port': ['port-direction'],
  'org-openroadm-device/line-amplifier/osc-port': ['port-direction'],
  'org-openroadm-device/line-amplifier/otdr-port': ['otdr-direction'],
  'org-openroadm-device/xponder': ['xpdr-number'],
  'org-openroadm-device/xponder/xpdr-port': ['index'],
  'org-openroadm-device/xponder/xpdr-pluggable-optics-holder': ['index'],
  'org-openroadm-device/ext-pluggable': ['extplug-number'],
  'org-openroadm-device/ext-pluggable/extplug-port': ['index'],
  'org-openroadm-device/roadm-connections': ['connection-name'],
  'org-openroadm-device/eth-connections': ['connection-name'],
  'org-openroadm-device/odu-connection': ['connection-name'],
  'org-openroadm-device/connection-map': ['connection-map-number'],
  'org-openroadm-device/connection-map/destination': ['circuit-pack-name', 'port-name'],
  'org-openroadm-device/odu-switching-pools': ['switching-pool-number'],
  'org-openroadm-device/odu-switching-pools/non-blocking-list': ['nbl-number'],
  'org-openroadm-device/odu-switching-pools/non-blocking-list/port-list': ['circuit-pack-name', 'port-name'],
  'org-openroadm-device/odu-switching-pools/non-blocking-list/pluggable-optics-holder-list': ['circuit-pack-name', 'slot-name'],
  'org-openroadm-device/eth-switching-pools': ['switching-pool-number'],
  'org-openroadm-device/eth-switching-pools/non-blocking-list': ['nbl-number'],
  'org-openroadm-device/eth-switching-pools/non-blocking-list/port-list': ['circuit-pack-name', 'port-name'],
  'org-openroadm-device/eth-switching-pools/non-blocking-list/pluggable-optics-holder-list': ['circuit-pack-name', 'slot-name'],
  'org-openroadm-device/otsigroup-capability-profile': ['profile-name'],
  'org-openroadm-device/mc-capability-profile': ['profile-name'],
  'org-openroadm-device/wss-capability-profile': ['profile-name'],
  'org-openroadm-device/split-lambda-profile': ['profile-name'],
  'org-openroadm-device/split-lambda-profile/otsi': ['circuit-pack-name', 'port-name'],
  'org-openroadm-device/otn-odu-mux-hierarchy-profile': ['profile-name'],
  'org-openroadm-device/otn-odu-mux-hierarchy-profile/mux-capability': ['stage-number', 'ho-odu-type', 'ho-odu-payload-type'],
  'org-openroadm-device/optical-operational-mode-profile': ['profile-name'],
  'org-openroadm-device/otn-capability-profile': ['profile-name'],
  'org-openroadm-device/muxp-profile': ['profile-name'],
  'org-openroadm-device/muxp-eth-profile': ['profile-name'],
  'org-openroadm-device/otsi-profile': ['profile-name'],
  'org-openroadm-device/muxp-otucn-profile': ['profile-name'],
  'active-alarm-list/activeAlarms': ['id'],
};

/** Every leaf-list: entries are identified by value. */
export const LEAF_LISTS: ReadonlySet<string> = new Set([
  'org-openroadm-device/circuit-packs/compliance-codes',
  'org-openroadm-device/circuit-packs/ports/supporting-port-list/port-list',
  'org-openroadm-device/circuit-packs/ports/mc-capability-profile-name',
  'org-openroadm-device/circuit-packs/ports/roadm-port/wss-capability-profile-name',
  'org-openroadm-device/circuit-packs/ports/roadm-monitor-port/roadm-connection',
  'org-openroadm-device/interface/supporting-interface-list',
  'org-openroadm-device/interface/ethernet/parent-flexo-allocation/iid',
  'org-openroadm-device/interface/otsi/flexo/iid',
  'org-openroadm-device/interface/otsi/flexo/accepted-group-id',
  'org-openroadm-device/interface/otsi/flexo/accepted-iid',
  'org-openroadm-device/interface/otsi/flexo/accepted-payload-id',
  'org-openroadm-device/interface/odu/parent-odu-allocation/trib-slots',
  'org-openroadm-device/interface/odu/parent-odu-allocation/opucn-trib-slots',
  'org-openroadm-device/interface/otu/parent-flexo-allocation/iid',
  'org-openroadm-device/degree/optical-operational-mode-profile-name',
  'org-openroadm-device/degree/mc-capability-profile-name',
  'org-openroadm-device/degree/wss-capability-profile-name',
  'org-openroadm-device/shared-risk-group/optical-operational-mode-profile-name',
  'org-openroadm-device/shared-risk-group/mc-capability-profile-name',
  'org-openroadm-device/shared-risk-group/subgroup/mc-capability-profile-name',
  'org-openroadm-device/line-amplifier/optical-operational-mode-profile-name',
  'org-openroadm-device/otsigroup-capability-profile/eth-speed',
  'org-openroadm-device/otsigroup-capability-profile/foic-type',
  'org-openroadm-device/wss-capability-profile/mc-capability-profile-name',
  'org-openroadm-device/wss-capability-profile/roadm-port-mode',
  'org-openroadm-device/split-lambda-profile/otsi/optical-operational-mode',
  'org-openroadm-device/split-lambda-profile/otsigroup-capability-profile-name',
  'org-openroadm-device/otn-odu-mux-hierarchy-profile/mux-capability/supported-lo-odu-type',
  'org-openroadm-device/otn-capability-profile/if-protection-capability',
  'org-openroadm-device/otn-capability-profile/opu-payload-type-mapping',
  'org-openroadm-device/muxp-profile/network-ho-odu-trib-slots',
  'org-openroadm-device/muxp-profile/network-ho-odu-opucn-trib-slots',
  'org-openroadm-device/muxp-eth-profile/network-flexo-iid',
  'org-openroadm-device/muxp-otucn-profile/network-flexo-iid',
]);

/** State lists without keys (entries have no identity; a get reports them as they are). */
export const KEYLESS_LISTS: ReadonlySet<string> = new Set([
  'org-openroadm-device/circuit-packs/circuit-pack-features',
  'org-openroadm-device/circuit-packs/circuit-pack-components',
  'org-openroadm-device/circuit-packs/ports/interfaces',
  'org-openroadm-device/otsigroup-capability-profile/otucni-start-ts',
]);
