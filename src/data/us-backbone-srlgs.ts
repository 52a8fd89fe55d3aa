/**
 * Shared-risk link groups of the built-in backbone: places where routes that look diverse on a map
 * share one conduit, trench, right-of-way or river crossing, so one event cuts them together.
 * Each group matches the geometry: its spans pass through the same towns (see us-backbone-routes.ts).
 */
import type { Srlg } from '../domain/network.js';

/** All SRLGs; ids are referenced by routes and metro spans. */
export const SRLGS: readonly Srlg[] = [
  { id: 'srlg-nec-amtrak', name: 'Amtrak Northeast Corridor conduit (Washington–Baltimore–Philadelphia–New York)', kind: 'conduit' },
  { id: 'srlg-hudson-tunnels', name: 'Hudson River tunnel conduit (New Jersey–Manhattan)', kind: 'conduit' },
  { id: 'srlg-mass-pike', name: 'Massachusetts Turnpike trench (Worcester–Boston)', kind: 'trench' },
  { id: 'srlg-calumet', name: 'Calumet right-of-way into Chicago (Gary–Chicago)', kind: 'right-of-way' },
  { id: 'srlg-stl-bridge', name: 'Mississippi River rail bridge at St. Louis', kind: 'bridge' },
  { id: 'srlg-mem-bridge', name: 'Mississippi River crossing at Memphis (West Memphis–Memphis)', kind: 'bridge' },
  { id: 'srlg-up-overland', name: 'Union Pacific Overland Route right-of-way (Omaha–North Platte)', kind: 'right-of-way' },
  { id: 'srlg-i25-front-range', name: 'I-25 Front Range trench (Trinidad–Pueblo–Denver)', kind: 'trench' },
  { id: 'srlg-i15-utah', name: 'I-15 Utah County trench (Provo–Salt Lake City)', kind: 'trench' },
  { id: 'srlg-i75-north-georgia', name: 'I-75 north Georgia trench (Atlanta–Cartersville–Dalton)', kind: 'trench' },
  { id: 'srlg-i75-macon', name: 'I-75 middle Georgia trench (Atlanta–McDonough–Macon)', kind: 'trench' },
  { id: 'srlg-i10-lake-city', name: 'I-10 north Florida trench (Lake City–Jacksonville)', kind: 'trench' },
  { id: 'srlg-i26-summerville', name: 'I-26 Lowcountry trench (Summerville–Charleston)', kind: 'trench' },
  { id: 'srlg-i10-west-valley', name: 'I-10 West Valley trench (Buckeye–Phoenix)', kind: 'trench' },
  { id: 'srlg-i10-mesilla', name: 'I-10 Mesilla Valley trench (Las Cruces–El Paso)', kind: 'trench' },
  { id: 'srlg-i10-van-horn', name: 'I-10 trench west Texas (El Paso–Van Horn)', kind: 'trench' },
  { id: 'srlg-brent-spence', name: 'Brent Spence Bridge and I-71/I-75 approach (Walton–Cincinnati)', kind: 'bridge' },
  { id: 'srlg-sac-stockton', name: 'Union Pacific right-of-way Sacramento–Stockton', kind: 'right-of-way' },
  { id: 'srlg-dulles-duct', name: 'Dulles corridor duct bank (Washington–Ashburn)', kind: 'duct' },
];
