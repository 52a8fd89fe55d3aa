/**
 * Metro POPs of the built-in US backbone.
 *
 * Sources: coordinates are the public city-centre coordinates of each metro (city hall / downtown,
 * as listed in public gazetteers), rounded to 4 decimals. A few POPs sit in small towns rather than
 * big metros because hyperscale data-center clusters are there (Quincy WA, The Dalles OR) and an
 * operator serving those campuses keeps a POP in town.
 */

/** One metro POP: `code` gives the site id `${code}-pop`, `metro` names the POP ("Chicago POP"). */
export interface PopRow {
  code: string;
  metro: string;
  lat: number;
  lon: number;
}

function pop(code: string, metro: string, lat: number, lon: number): PopRow {
  return { code, metro, lat, lon };
}

/** All metro POPs, west to east roughly. */
export const POPS: readonly PopRow[] = [
  // Pacific Northwest and California
  pop('sea', 'Seattle', 47.6062, -122.3321),
  pop('pdx', 'Portland', 45.5152, -122.6784),
  pop('dls', 'The Dalles', 45.5946, -121.1787),
  pop('qcy', 'Quincy', 47.2343, -119.8526),
  pop('geg', 'Spokane', 47.6588, -117.426),
  pop('sac', 'Sacramento', 38.5816, -121.4944),
  pop('sfo', 'San Francisco', 37.7749, -122.4194),
  pop('sjc', 'San Jose', 37.3382, -121.8863),
  pop('lax', 'Los Angeles', 34.0522, -118.2437),
  pop('san', 'San Diego', 32.7157, -117.1611),
  // Mountain West and Southwest
  pop('rno', 'Reno', 39.5296, -119.8138),
  pop('las', 'Las Vegas', 36.1699, -115.1398),
  pop('phx', 'Phoenix', 33.4484, -112.074),
  pop('tus', 'Tucson', 32.2226, -110.9747),
  pop('abq', 'Albuquerque', 35.0844, -106.6504),
  pop('elp', 'El Paso', 31.7619, -106.485),
  pop('slc', 'Salt Lake City', 40.7608, -111.891),
  pop('boi', 'Boise', 43.615, -116.2023),
  pop('bil', 'Billings', 45.7833, -108.5007),
  pop('den', 'Denver', 39.7392, -104.9903),
  pop('cys', 'Cheyenne', 41.14, -104.8202),
  // Plains and Upper Midwest
  pop('far', 'Fargo', 46.8772, -96.7898),
  pop('fsd', 'Sioux Falls', 43.5446, -96.7311),
  pop('msp', 'Minneapolis', 44.9778, -93.265),
  pop('oma', 'Omaha', 41.2565, -95.9345),
  pop('dsm', 'Des Moines', 41.5868, -93.625),
  pop('mkc', 'Kansas City', 39.0997, -94.5786),
  pop('ict', 'Wichita', 37.6872, -97.3301),
  pop('okc', 'Oklahoma City', 35.4676, -97.5164),
  pop('tul', 'Tulsa', 36.154, -95.9928),
  pop('sgf', 'Springfield', 37.209, -93.2923),
  // Texas and the Gulf
  pop('ama', 'Amarillo', 35.222, -101.8313),
  pop('maf', 'Midland', 31.9973, -102.0779),
  pop('dal', 'Dallas', 32.7767, -96.797),
  pop('aus', 'Austin', 30.2672, -97.7431),
  pop('sat', 'San Antonio', 29.4241, -98.4936),
  pop('hou', 'Houston', 29.7604, -95.3698),
  pop('btr', 'Baton Rouge', 30.4515, -91.1871),
  pop('msy', 'New Orleans', 29.9511, -90.0715),
  pop('shv', 'Shreveport', 32.5252, -93.7502),
  pop('jan', 'Jackson', 32.2988, -90.1848),
  pop('lit', 'Little Rock', 34.7465, -92.2896),
  pop('mem', 'Memphis', 35.1495, -90.049),
  pop('mob', 'Mobile', 30.6954, -88.0399),
  // Southeast
  pop('bna', 'Nashville', 36.1627, -86.7816),
  pop('tys', 'Knoxville', 35.9606, -83.9207),
  pop('bhm', 'Birmingham', 33.5186, -86.8104),
  pop('atl', 'Atlanta', 33.749, -84.388),
  pop('tlh', 'Tallahassee', 30.4383, -84.2807),
  pop('jax', 'Jacksonville', 30.3322, -81.6557),
  pop('orl', 'Orlando', 28.5383, -81.3792),
  pop('tpa', 'Tampa', 27.9506, -82.4572),
  pop('mia', 'Miami', 25.7617, -80.1918),
  pop('sav', 'Savannah', 32.0809, -81.0912),
  pop('chs', 'Charleston', 32.7765, -79.9311),
  pop('gsp', 'Greenville', 34.8526, -82.394),
  pop('clt', 'Charlotte', 35.2271, -80.8431),
  pop('rdu', 'Raleigh', 35.7796, -78.6382),
  // Mid-Atlantic and Northeast
  pop('orf', 'Norfolk', 36.8508, -76.2859),
  pop('ric', 'Richmond', 37.5407, -77.436),
  pop('was', 'Washington', 38.9072, -77.0369),
  pop('bal', 'Baltimore', 39.2904, -76.6122),
  pop('phl', 'Philadelphia', 39.9526, -75.1652),
  pop('hbg', 'Harrisburg', 40.2732, -76.8867),
  pop('pit', 'Pittsburgh', 40.4406, -79.9959),
  pop('nyc', 'New York', 40.7128, -74.006),
  pop('hfd', 'Hartford', 41.7658, -72.6734),
  pop('bos', 'Boston', 42.3601, -71.0589),
  pop('alb', 'Albany', 42.6526, -73.7562),
  pop('syr', 'Syracuse', 43.0481, -76.1474),
  pop('buf', 'Buffalo', 42.8864, -78.8784),
  // Great Lakes and Ohio Valley
  pop('cle', 'Cleveland', 41.4993, -81.6944),
  pop('tol', 'Toledo', 41.6528, -83.5379),
  pop('det', 'Detroit', 42.3314, -83.0458),
  pop('cmh', 'Columbus', 39.9612, -82.9988),
  pop('cin', 'Cincinnati', 39.1031, -84.512),
  pop('sdf', 'Louisville', 38.2527, -85.7585),
  pop('ind', 'Indianapolis', 39.7684, -86.1581),
  pop('chi', 'Chicago', 41.8781, -87.6298),
  pop('mke', 'Milwaukee', 43.0389, -87.9065),
  pop('msn', 'Madison', 43.0731, -89.4012),
  pop('stl', 'St. Louis', 38.627, -90.1994),
];
