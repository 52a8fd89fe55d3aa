/**
 * Data-center campuses and cloud on-ramps of the built-in US backbone, in the markets where AI and
 * cloud capacity concentrates.
 *
 * Sources: campus coordinates are the public town coordinates of the data-center clusters (Ashburn,
 * Manassas, Santa Clara, Richardson, Allen, Elk Grove Village, Franklin Park, Mesa, Goodyear,
 * Douglasville, Lithia Springs, New Albany, Hillsboro, Council Bluffs, Quincy, McCarran NV,
 * West Jordan, Henderson, West Des Moines, Altoona IA, Secaucus, Goose Creek SC), rounded to 4 decimals and
 * nudged apart where two sites share a town. Cloud regions are the providers' published region codes
 * in the metros they are publicly associated with. Names are generic: no facility is claimed to be a
 * particular operator's building.
 */
import type { SiteKind } from '../domain/network.js';

/** Cloud providers that have on-ramps here, with the region codes they publish. */
export type CloudProvider = 'aws' | 'gcp' | 'azure';

/** One data center or on-ramp and how it hangs off the backbone. */
export interface DataCenterRow {
  id: string;
  name: string;
  kind: Extract<SiteKind, 'datacenter' | 'cloud-onramp'>;
  /** Same spelling as the POP's metro: the site is attached to that POP. */
  metro: string;
  lat: number;
  lon: number;
  cloud: { provider: CloudProvider; region: string } | null;
  /** POP code (`was` for `was-pop`) the site's metro span lands on. */
  pop: string;
  /** Optional second metro span to another site in the market (a metro ring, so one cut is survivable). */
  peer: string | null;
  /** SRLGs the POP uplink runs through (a shared duct bank, a river crossing). */
  srlgs: readonly string[];
}

function dc(id: string, name: string, metro: string, pop: string, lat: number, lon: number, peer: string | null = null, srlgs: readonly string[] = []): DataCenterRow {
  return { id, name, kind: 'datacenter', metro, lat, lon, cloud: null, pop, peer, srlgs };
}

function onramp(id: string, provider: CloudProvider, region: string, where: string, metro: string, pop: string, lat: number, lon: number, peer: string | null = null, srlgs: readonly string[] = []): DataCenterRow {
  const label = provider === 'aws' ? 'AWS' : provider === 'gcp' ? 'Google Cloud' : 'Azure';
  return { id, name: `${label} ${region} On-Ramp (${where})`, kind: 'cloud-onramp', metro, lat, lon, cloud: { provider, region }, pop, peer, srlgs };
}

// The spans from downtown Washington to the Ashburn/Manassas campuses all leave through the same
// duct bank along the Dulles corridor: one dig there cuts them together.
const DULLES = ['srlg-dulles-duct'];

/** All data-center and cloud on-ramp sites. */
export const DATACENTERS: readonly DataCenterRow[] = [
  // Northern Virginia (Washington metro): the largest data-center market in the world.
  dc('ash-dc1', 'Ashburn Data Center Campus 1', 'Washington', 'was', 39.0438, -77.4874, null, DULLES),
  dc('ash-dc2', 'Ashburn Data Center Campus 2', 'Washington', 'was', 39.0158, -77.4603, 'ash-dc1', DULLES),
  dc('man-dc1', 'Manassas Data Center Campus', 'Washington', 'was', 38.7509, -77.4753, 'ash-dc2'),
  onramp('ash-aws', 'aws', 'us-east-1', 'Ashburn', 'Washington', 'was', 39.03, -77.465, 'ash-dc1', DULLES),
  onramp('ash-gcp', 'gcp', 'us-east4', 'Ashburn', 'Washington', 'was', 39.021, -77.472, 'ash-dc2', DULLES),
  onramp('ash-azr', 'azure', 'eastus', 'Ashburn', 'Washington', 'was', 39.008, -77.452, 'ash-dc2', DULLES),
  // Silicon Valley (San Jose metro)
  dc('scl-dc1', 'Santa Clara Data Center Campus', 'San Jose', 'sjc', 37.3541, -121.9552),
  onramp('sjc-aws', 'aws', 'us-west-1', 'San Jose', 'San Jose', 'sjc', 37.37, -121.922, 'scl-dc1'),
  onramp('sjc-azr', 'azure', 'westus', 'San Jose', 'San Jose', 'sjc', 37.4, -121.95, 'scl-dc1'),
  // Dallas-Fort Worth
  dc('rch-dc1', 'Richardson Data Center Campus', 'Dallas', 'dal', 32.9483, -96.7299),
  dc('aln-dc1', 'Allen Data Center Campus', 'Dallas', 'dal', 33.1032, -96.6706, 'rch-dc1'),
  onramp('dal-gcp', 'gcp', 'us-south1', 'Dallas', 'Dallas', 'dal', 32.789, -96.793, 'rch-dc1'),
  // Chicago
  dc('elk-dc1', 'Elk Grove Village Data Center Campus', 'Chicago', 'chi', 42.0039, -87.9703),
  dc('frp-dc1', 'Franklin Park Data Center Campus', 'Chicago', 'chi', 41.9353, -87.8656, 'elk-dc1'),
  onramp('chi-azr', 'azure', 'northcentralus', 'Chicago', 'Chicago', 'chi', 41.8531, -87.6189, 'frp-dc1'),
  // Phoenix
  dc('mes-dc1', 'Mesa Data Center Campus', 'Phoenix', 'phx', 33.4152, -111.8315),
  dc('gdy-dc1', 'Goodyear Data Center Campus', 'Phoenix', 'phx', 33.4353, -112.3582),
  onramp('phx-azr', 'azure', 'westus3', 'Phoenix', 'Phoenix', 'phx', 33.434, -112.012, 'gdy-dc1'),
  // Atlanta
  dc('dgv-dc1', 'Douglasville Data Center Campus', 'Atlanta', 'atl', 33.7515, -84.7477),
  dc('lth-dc1', 'Lithia Springs Data Center Campus', 'Atlanta', 'atl', 33.794, -84.6605, 'dgv-dc1'),
  // Columbus
  dc('nal-dc1', 'New Albany Data Center Campus', 'Columbus', 'cmh', 40.0812, -82.8088),
  onramp('cmh-aws', 'aws', 'us-east-2', 'Dublin', 'Columbus', 'cmh', 40.0992, -83.1141, 'nal-dc1'),
  onramp('cmh-gcp', 'gcp', 'us-east5', 'New Albany', 'Columbus', 'cmh', 40.09, -82.77, 'nal-dc1'),
  // Hillsboro (Portland metro)
  dc('hil-dc1', 'Hillsboro Data Center Campus', 'Portland', 'pdx', 45.5229, -122.9898),
  onramp('hil-aws', 'aws', 'us-west-2', 'Hillsboro', 'Portland', 'pdx', 45.544, -122.933, 'hil-dc1'),
  // Council Bluffs (Omaha metro)
  dc('cbf-dc1', 'Council Bluffs Data Center Campus', 'Omaha', 'oma', 41.2214, -95.863),
  onramp('cbf-gcp', 'gcp', 'us-central1', 'Council Bluffs', 'Omaha', 'oma', 41.255, -95.85, 'cbf-dc1'),
  // Quincy WA
  dc('qcy-dc1', 'Quincy Data Center Campus', 'Quincy', 'qcy', 47.22, -119.87),
  onramp('qcy-azr', 'azure', 'westus2', 'Quincy', 'Quincy', 'qcy', 47.245, -119.835, 'qcy-dc1'),
  // The Dalles OR
  onramp('dls-gcp', 'gcp', 'us-west1', 'The Dalles', 'The Dalles', 'dls', 45.632, -121.201),
  // Reno (Tahoe Reno Industrial Center, McCarran NV)
  dc('trc-dc1', 'Tahoe Reno Industrial Center Data Center Campus', 'Reno', 'rno', 39.543, -119.441),
  // Salt Lake City
  dc('wjd-dc1', 'West Jordan Data Center Campus', 'Salt Lake City', 'slc', 40.6097, -111.9391),
  onramp('slc-gcp', 'gcp', 'us-west3', 'Salt Lake City', 'Salt Lake City', 'slc', 40.768, -111.901, 'wjd-dc1'),
  // Las Vegas
  dc('las-dc1', 'Las Vegas Data Center Campus', 'Las Vegas', 'las', 36.07, -115.18),
  onramp('las-gcp', 'gcp', 'us-west4', 'Henderson', 'Las Vegas', 'las', 36.0395, -114.9817, 'las-dc1'),
  // Des Moines
  dc('ank-dc1', 'Altoona Data Center Campus', 'Des Moines', 'dsm', 41.6442, -93.4647),
  onramp('wdm-azr', 'azure', 'centralus', 'West Des Moines', 'Des Moines', 'dsm', 41.5772, -93.7113, 'ank-dc1'),
  // San Antonio
  onramp('sat-azr', 'azure', 'southcentralus', 'San Antonio', 'San Antonio', 'sat', 29.47, -98.7),
  // Los Angeles
  onramp('lax-gcp', 'gcp', 'us-west2', 'Los Angeles', 'Los Angeles', 'lax', 34.0488, -118.2557),
  // Charleston SC (Berkeley County campus)
  onramp('chs-gcp', 'gcp', 'us-east1', 'Goose Creek', 'Charleston', 'chs', 33.063, -80.044),
  // Seattle
  dc('sea-dc1', 'Seattle Downtown Carrier Hotel', 'Seattle', 'sea', 47.6143, -122.3384),
  // New York (Secaucus NJ, across the Hudson)
  dc('sec-dc1', 'Secaucus Data Center Campus', 'New York', 'nyc', 40.7895, -74.0565, null, ['srlg-hudson-tunnels']),
];
