/**
 * Intercity routes of the built-in backbone. Each route follows a real long-haul corridor
 * (Interstate highway or railroad right-of-way, named in the section comments) through the towns
 * listed in `via`, in order from `a` to `z`; the towns are in us-backbone-towns.ts.
 *
 * `tier` says what is in the ground: 'ai' = new high-count builds between AI/cloud markets, 'core' =
 * trunk routes, 'standard' = older long-haul builds, 'regional' = thin rural routes
 * (see us-backbone-cables.ts for the strand counts each implies).
 */
import type { CableTier } from './us-backbone-cables.js';

/** One intercity route between two POP codes. */
export interface RouteRow {
  a: string;
  z: string;
  via: readonly string[];
  tier: CableTier;
  srlgs: readonly string[];
  /** Distinguishes two routes between the same POPs ('i90', 'us2'); empty when there is one. */
  suffix: string;
}

function r(a: string, z: string, via: readonly string[], tier: CableTier, srlgs: readonly string[] = [], suffix = ''): RouteRow {
  return { a, z, via, tier, srlgs, suffix };
}

/** All intercity routes. */
export const ROUTES: readonly RouteRow[] = [
  // I-5 and the Pacific coast
  r('sea', 'pdx', ['Tacoma, WA', 'Olympia, WA', 'Centralia, WA', 'Longview, WA'], 'core'),
  r('pdx', 'sac', ['Salem, OR', 'Eugene, OR', 'Roseburg, OR', 'Medford, OR', 'Redding, CA'], 'standard'),
  r('sac', 'sfo', ['Davis, CA', 'Fairfield, CA', 'Vallejo, CA'], 'core'),
  r('sac', 'sjc', ['Stockton, CA', 'Tracy, CA', 'Livermore, CA'], 'core', ['srlg-sac-stockton']),
  r('sfo', 'sjc', ['San Mateo, CA', 'Palo Alto, CA'], 'ai'),
  // US-101 / Union Pacific Coast Line
  r('sjc', 'lax', ['Gilroy, CA', 'Salinas, CA', 'Paso Robles, CA', 'San Luis Obispo, CA', 'Santa Barbara, CA', 'Oxnard, CA'], 'standard'),
  // CA-99 / Union Pacific through the Central Valley
  r('sac', 'lax', ['Stockton, CA', 'Modesto, CA', 'Fresno, CA', 'Bakersfield, CA', 'Santa Clarita, CA'], 'core', ['srlg-sac-stockton']),
  r('lax', 'san', ['Irvine, CA', 'Oceanside, CA'], 'core'),
  // I-15, I-10, I-8 and US-93 in the desert Southwest
  r('lax', 'las', ['San Bernardino, CA', 'Barstow, CA', 'Baker, CA', 'Primm, NV'], 'core'),
  r('lax', 'phx', ['Palm Springs, CA', 'Blythe, CA', 'Quartzsite, AZ', 'Buckeye, AZ'], 'core', ['srlg-i10-west-valley']),
  r('san', 'phx', ['El Centro, CA', 'Yuma, AZ', 'Gila Bend, AZ', 'Buckeye, AZ'], 'standard', ['srlg-i10-west-valley']),
  r('las', 'phx', ['Boulder City, NV', 'Kingman, AZ', 'Wickenburg, AZ'], 'core'),
  r('phx', 'tus', ['Casa Grande, AZ', 'Eloy, AZ'], 'core'),
  r('tus', 'elp', ['Benson, AZ', 'Willcox, AZ', 'Lordsburg, NM', 'Las Cruces, NM'], 'standard', ['srlg-i10-mesilla']),
  // I-17 / I-40 and BNSF Transcon
  r('phx', 'abq', ['Camp Verde, AZ', 'Flagstaff, AZ', 'Winslow, AZ', 'Gallup, NM', 'Grants, NM'], 'standard'),
  r('abq', 'ama', ['Santa Rosa, NM', 'Tucumcari, NM'], 'standard'),
  r('ama', 'okc', ['Shamrock, TX', 'Elk City, OK', 'Weatherford, OK'], 'standard'),
  // I-25 along the Rio Grande and the Front Range
  r('abq', 'elp', ['Socorro, NM', 'Truth or Consequences, NM', 'Las Cruces, NM'], 'standard', ['srlg-i10-mesilla']),
  r('abq', 'den', ['Santa Fe, NM', 'Las Vegas, NM', 'Raton, NM', 'Trinidad, CO', 'Pueblo, CO', 'Colorado Springs, CO'], 'standard', ['srlg-i25-front-range']),
  r('ama', 'den', ['Dumas, TX', 'Dalhart, TX', 'Clayton, NM', 'Trinidad, CO', 'Pueblo, CO', 'Colorado Springs, CO'], 'regional', ['srlg-i25-front-range']),
  r('den', 'cys', ['Fort Collins, CO'], 'core'),
  // I-10 and I-20 across Texas
  r('elp', 'maf', ['Van Horn, TX', 'Pecos, TX', 'Odessa, TX'], 'regional', ['srlg-i10-van-horn']),
  r('maf', 'dal', ['Big Spring, TX', 'Sweetwater, TX', 'Abilene, TX', 'Weatherford, TX', 'Fort Worth, TX'], 'standard'),
  r('elp', 'sat', ['Van Horn, TX', 'Fort Stockton, TX', 'Ozona, TX', 'Junction, TX', 'Kerrville, TX'], 'standard', ['srlg-i10-van-horn']),
  r('sat', 'hou', ['Seguin, TX', 'Columbus, TX', 'Katy, TX'], 'core'),
  // I-35 and I-45
  r('sat', 'aus', ['New Braunfels, TX', 'San Marcos, TX'], 'ai'),
  r('aus', 'dal', ['Temple, TX', 'Waco, TX', 'Hillsboro, TX'], 'ai'),
  r('hou', 'dal', ['Conroe, TX', 'Huntsville, TX', 'Corsicana, TX'], 'core'),
  r('okc', 'dal', ['Norman, OK', 'Ardmore, OK', 'Gainesville, TX', 'Denton, TX'], 'core'),
  r('ict', 'okc', ['Wellington, KS', 'Blackwell, OK', 'Guthrie, OK'], 'standard'),
  r('mkc', 'ict', ['Emporia, KS', 'El Dorado, KS'], 'standard'),
  r('dsm', 'mkc', ['Osceola, IA', 'Bethany, MO', 'Cameron, MO'], 'standard'),
  r('msp', 'dsm', ['Owatonna, MN', 'Albert Lea, MN', 'Mason City, IA', 'Ames, IA'], 'core'),
  // US-287, US-75 and I-30 out of Dallas
  r('dal', 'ama', ['Wichita Falls, TX', 'Childress, TX'], 'standard'),
  r('tul', 'dal', ['Okmulgee, OK', 'McAlester, OK', 'Durant, OK', 'Sherman, TX'], 'standard'),
  r('dal', 'lit', ['Sulphur Springs, TX', 'Mount Pleasant, TX', 'Texarkana, TX', 'Hope, AR', 'Arkadelphia, AR'], 'core'),
  // I-10 along the Gulf
  r('hou', 'btr', ['Beaumont, TX', 'Lake Charles, LA', 'Lafayette, LA'], 'core'),
  r('btr', 'msy', ['Gonzales, LA', 'LaPlace, LA'], 'core'),
  r('msy', 'mob', ['Slidell, LA', 'Gulfport, MS', 'Pascagoula, MS'], 'standard'),
  r('mob', 'tlh', ['Pensacola, FL', 'Crestview, FL', 'Marianna, FL'], 'standard'),
  r('tlh', 'jax', ['Madison, FL', 'Lake City, FL'], 'standard', ['srlg-i10-lake-city']),
  // I-20, I-55 and I-59 in the Deep South
  r('dal', 'shv', ['Tyler, TX', 'Longview, TX', 'Marshall, TX'], 'core'),
  r('shv', 'jan', ['Ruston, LA', 'Monroe, LA', 'Vicksburg, MS'], 'standard'),
  r('jan', 'msy', ['McComb, MS', 'Hammond, LA'], 'standard'),
  r('jan', 'mem', ['Grenada, MS', 'Batesville, MS'], 'standard'),
  r('bhm', 'jan', ['Tuscaloosa, AL', 'Meridian, MS'], 'standard'),
  r('atl', 'bhm', ['Villa Rica, GA', 'Anniston, AL'], 'core'),
  r('bhm', 'mem', ['Jasper, AL', 'Tupelo, MS', 'Holly Springs, MS'], 'standard'),
  r('bhm', 'mob', ['Montgomery, AL', 'Greenville, AL', 'Evergreen, AL', 'Bay Minette, AL'], 'standard'),
  // I-65
  r('bhm', 'bna', ['Cullman, AL', 'Decatur, AL', 'Pulaski, TN', 'Columbia, TN'], 'standard'),
  r('sdf', 'bna', ['Elizabethtown, KY', 'Bowling Green, KY'], 'standard'),
  r('sdf', 'ind', ['Seymour, IN', 'Columbus, IN'], 'standard'),
  r('ind', 'chi', ['Lafayette, IN', 'Rensselaer, IN', 'Merrillville, IN', 'Gary, IN'], 'ai', ['srlg-calumet']),
  // I-40 and I-55 through the Mid-South
  r('lit', 'mem', ['Forrest City, AR', 'West Memphis, AR'], 'core', ['srlg-mem-bridge']),
  r('stl', 'mem', ['Cape Girardeau, MO', 'Sikeston, MO', 'Blytheville, AR', 'West Memphis, AR'], 'standard', ['srlg-mem-bridge']),
  r('mem', 'bna', ['Jackson, TN', 'Dickson, TN'], 'core'),
  r('bna', 'tys', ['Cookeville, TN', 'Crossville, TN'], 'core'),
  r('tys', 'clt', ['Newport, TN', 'Asheville, NC', 'Morganton, NC', 'Hickory, NC'], 'standard'),
  r('bna', 'stl', ['Clarksville, TN', 'Paducah, KY', 'Marion, IL', 'Mount Vernon, IL'], 'standard', ['srlg-stl-bridge']),
  // I-75 and I-24
  r('atl', 'bna', ['Cartersville, GA', 'Dalton, GA', 'Chattanooga, TN', 'Monteagle, TN', 'Murfreesboro, TN'], 'core', ['srlg-i75-north-georgia']),
  r('atl', 'tys', ['Cartersville, GA', 'Dalton, GA', 'Cleveland, TN', 'Athens, TN'], 'standard', ['srlg-i75-north-georgia']),
  r('tys', 'cin', ['Jellico, TN', 'Corbin, KY', 'Lexington, KY', 'Walton, KY', 'Covington, KY'], 'standard', ['srlg-brent-spence']),
  r('atl', 'jax', ['McDonough, GA', 'Macon, GA', 'Tifton, GA', 'Valdosta, GA', 'Lake City, FL'], 'core', ['srlg-i75-macon', 'srlg-i10-lake-city']),
  // Florida: I-95 / FEC railway, I-4, I-75
  r('jax', 'orl', ['St. Augustine, FL', 'Daytona Beach, FL', 'DeLand, FL'], 'core'),
  r('orl', 'mia', ['Melbourne, FL', 'Fort Pierce, FL', 'West Palm Beach, FL', 'Fort Lauderdale, FL'], 'core'),
  r('tpa', 'mia', ['Sarasota, FL', 'Fort Myers, FL', 'Naples, FL', 'Weston, FL'], 'standard'),
  r('orl', 'tpa', ['Lakeland, FL'], 'core'),
  r('tpa', 'jax', ['Brooksville, FL', 'Ocala, FL', 'Gainesville, FL', 'Starke, FL'], 'standard'),
  // I-95, I-16, I-26 and I-20 in Georgia and the Carolinas
  r('jax', 'sav', ['Kingsland, GA', 'Brunswick, GA', 'Richmond Hill, GA'], 'standard'),
  r('sav', 'chs', ['Hardeeville, SC', 'Ridgeland, SC', 'Walterboro, SC'], 'standard'),
  r('sav', 'atl', ['Metter, GA', 'Dublin, GA', 'Macon, GA', 'McDonough, GA'], 'standard', ['srlg-i75-macon']),
  r('chs', 'clt', ['Summerville, SC', 'Orangeburg, SC', 'Columbia, SC', 'Rock Hill, SC'], 'standard', ['srlg-i26-summerville']),
  r('atl', 'chs', ['Conyers, GA', 'Augusta, GA', 'Aiken, SC', 'Summerville, SC'], 'standard', ['srlg-i26-summerville']),
  r('chs', 'rdu', ['Moncks Corner, SC', 'Florence, SC', 'Lumberton, NC', 'Fayetteville, NC'], 'standard'),
  // I-85 Piedmont corridor
  r('atl', 'gsp', ['Gainesville, GA', 'Lavonia, GA', 'Anderson, SC'], 'core'),
  r('gsp', 'clt', ['Spartanburg, SC', 'Gaffney, SC', 'Gastonia, NC'], 'core'),
  r('clt', 'rdu', ['Salisbury, NC', 'Greensboro, NC', 'Burlington, NC', 'Durham, NC'], 'core'),
  r('rdu', 'ric', ['Henderson, NC', 'South Hill, VA', 'Petersburg, VA'], 'core'),
  r('ric', 'orf', ['Williamsburg, VA', 'Newport News, VA'], 'standard'),
  r('orf', 'rdu', ['Suffolk, VA', 'Roanoke Rapids, NC', 'Rocky Mount, NC'], 'standard'),
  // I-95 and the Amtrak Northeast Corridor
  r('ric', 'was', ['Fredericksburg, VA', 'Woodbridge, VA'], 'ai'),
  r('was', 'bal', ['Laurel, MD'], 'ai', ['srlg-nec-amtrak']),
  r('bal', 'phl', ['Aberdeen, MD', 'Newark, DE', 'Wilmington, DE'], 'ai', ['srlg-nec-amtrak']),
  r('phl', 'nyc', ['Trenton, NJ', 'New Brunswick, NJ', 'Newark, NJ'], 'ai', ['srlg-nec-amtrak', 'srlg-hudson-tunnels']),
  r('nyc', 'bos', ['Stamford, CT', 'New Haven, CT', 'New London, CT', 'Providence, RI'], 'core'),
  // I-84, I-90 and the Hudson Valley in New England and upstate New York
  r('nyc', 'hfd', ['White Plains, NY', 'Danbury, CT', 'Waterbury, CT'], 'standard'),
  r('hfd', 'bos', ['Sturbridge, MA', 'Worcester, MA', 'Framingham, MA'], 'standard', ['srlg-mass-pike']),
  r('alb', 'bos', ['Pittsfield, MA', 'Springfield, MA', 'Worcester, MA', 'Framingham, MA'], 'standard', ['srlg-mass-pike']),
  r('nyc', 'alb', ['Yonkers, NY', 'Poughkeepsie, NY', 'Kingston, NY'], 'standard'),
  r('alb', 'syr', ['Amsterdam, NY', 'Utica, NY'], 'standard'),
  r('syr', 'buf', ['Rochester, NY', 'Batavia, NY'], 'standard'),
  r('buf', 'cle', ['Dunkirk, NY', 'Erie, PA', 'Ashtabula, OH'], 'standard'),
  r('nyc', 'buf', ['Middletown, NY', 'Binghamton, NY', 'Elmira, NY', 'Hornell, NY'], 'standard'),
  // I-78, I-81, I-83 and the Pennsylvania Turnpike
  r('hbg', 'nyc', ['Allentown, PA', 'Easton, PA', 'Somerville, NJ', 'Newark, NJ'], 'core', ['srlg-hudson-tunnels']),
  r('bal', 'hbg', ['York, PA'], 'standard'),
  r('phl', 'hbg', ['Lancaster, PA'], 'standard'),
  r('hbg', 'pit', ['Carlisle, PA', 'Breezewood, PA', 'Somerset, PA', 'Greensburg, PA'], 'core'),
  r('hbg', 'syr', ['Hazleton, PA', 'Wilkes-Barre, PA', 'Scranton, PA', 'Binghamton, NY'], 'standard'),
  // I-70 / I-68 from Northern Virginia to Ohio: the Ashburn–Columbus AI corridor
  r('was', 'pit', ['Frederick, MD', 'Hagerstown, MD', 'Cumberland, MD', 'Morgantown, WV'], 'ai'),
  r('pit', 'cmh', ['Washington, PA', 'Wheeling, WV', 'Cambridge, OH', 'Zanesville, OH'], 'ai'),
  r('cmh', 'ind', ['Springfield, OH', 'Richmond, IN', 'Greenfield, IN'], 'ai'),
  // Ohio and the Great Lakes: I-76, I-80/90, I-94, I-71
  r('pit', 'cle', ['Beaver, PA', 'Youngstown, OH', 'Ravenna, OH'], 'standard'),
  r('cle', 'tol', ['Elyria, OH', 'Sandusky, OH'], 'standard'),
  r('tol', 'det', ['Monroe, MI'], 'core'),
  r('tol', 'chi', ['Elkhart, IN', 'South Bend, IN', 'Gary, IN'], 'core', ['srlg-calumet']),
  r('det', 'chi', ['Ann Arbor, MI', 'Jackson, MI', 'Kalamazoo, MI', 'Benton Harbor, MI', 'Gary, IN'], 'core', ['srlg-calumet']),
  r('cle', 'cmh', ['Medina, OH', 'Mansfield, OH', 'Delaware, OH'], 'core'),
  r('cmh', 'cin', ['Wilmington, OH', 'Lebanon, OH'], 'core'),
  r('cin', 'ind', ['Harrison, OH', 'Batesville, IN', 'Shelbyville, IN'], 'standard'),
  r('cin', 'sdf', ['Covington, KY', 'Walton, KY', 'Carrollton, KY', 'La Grange, KY'], 'standard', ['srlg-brent-spence']),
  // I-64, I-70, I-55 into St. Louis
  r('sdf', 'stl', ['Corydon, IN', 'Dale, IN', 'Mount Vernon, IL'], 'standard', ['srlg-stl-bridge']),
  r('ind', 'stl', ['Terre Haute, IN', 'Effingham, IL', 'Vandalia, IL'], 'core', ['srlg-stl-bridge']),
  r('chi', 'stl', ['Joliet, IL', 'Bloomington, IL', 'Springfield, IL'], 'core'),
  // Wisconsin and Minnesota: I-94, I-90
  r('chi', 'mke', ['Kenosha, WI', 'Racine, WI'], 'core'),
  r('mke', 'msn', ['Waukesha, WI', 'Oconomowoc, WI'], 'standard'),
  r('chi', 'msn', ['Rockford, IL', 'Beloit, WI', 'Janesville, WI'], 'standard'),
  r('msn', 'msp', ['Wisconsin Dells, WI', 'Tomah, WI', 'Eau Claire, WI', 'Hudson, WI'], 'standard'),
  // I-88 / I-80 west to Iowa and Nebraska: the Chicago–Council Bluffs AI corridor
  r('chi', 'dsm', ['Aurora, IL', 'Dixon, IL', 'Davenport, IA', 'Iowa City, IA'], 'ai'),
  r('dsm', 'oma', ['Stuart, IA', 'Atlantic, IA'], 'ai'),
  r('oma', 'mkc', ['Rock Port, MO', 'St. Joseph, MO'], 'core'),
  // I-29, I-90 and I-94 on the northern plains
  r('msp', 'fsd', ['Mankato, MN', 'Worthington, MN'], 'standard'),
  r('fsd', 'oma', ['Sioux City, IA', 'Missouri Valley, IA'], 'standard'),
  r('fsd', 'far', ['Brookings, SD', 'Watertown, SD', 'Wahpeton, ND'], 'regional'),
  r('far', 'msp', ['Fergus Falls, MN', 'Alexandria, MN', 'St. Cloud, MN'], 'standard'),
  r('bil', 'far', ['Miles City, MT', 'Dickinson, ND', 'Bismarck, ND', 'Jamestown, ND'], 'regional'),
  r('geg', 'bil', ["Coeur d'Alene, ID", 'Missoula, MT', 'Butte, MT', 'Bozeman, MT'], 'standard'),
  r('bil', 'cys', ['Sheridan, WY', 'Buffalo, WY', 'Casper, WY', 'Wheatland, WY'], 'regional'),
  // Union Pacific Overland Route / I-80 and I-76 across Nebraska
  r('oma', 'den', ['Lincoln, NE', 'Kearney, NE', 'North Platte, NE', 'Sterling, CO', 'Fort Morgan, CO'], 'core', ['srlg-up-overland']),
  r('oma', 'cys', ['Lincoln, NE', 'Kearney, NE', 'North Platte, NE', 'Ogallala, NE', 'Sidney, NE'], 'standard', ['srlg-up-overland']),
  // I-70 and I-44 through Kansas, Missouri and Oklahoma
  r('mkc', 'stl', ['Boonville, MO', 'Columbia, MO', 'Wentzville, MO'], 'core'),
  r('mkc', 'den', ['Topeka, KS', 'Salina, KS', 'Hays, KS', 'Goodland, KS', 'Limon, CO'], 'core'),
  r('stl', 'sgf', ['Rolla, MO', 'Lebanon, MO'], 'standard'),
  r('sgf', 'tul', ['Joplin, MO', 'Vinita, OK'], 'standard'),
  r('tul', 'okc', ['Stroud, OK'], 'core'),
  // I-80 / Union Pacific Central Corridor, I-70 and I-15 through the Rockies and the Great Basin
  r('cys', 'slc', ['Laramie, WY', 'Rawlins, WY', 'Rock Springs, WY', 'Evanston, WY'], 'core'),
  r('den', 'slc', ['Glenwood Springs, CO', 'Grand Junction, CO', 'Green River, UT', 'Price, UT', 'Spanish Fork, UT', 'Provo, UT'], 'standard', ['srlg-i15-utah']),
  r('las', 'slc', ['St. George, UT', 'Cedar City, UT', 'Nephi, UT', 'Provo, UT'], 'core', ['srlg-i15-utah']),
  r('slc', 'rno', ['West Wendover, NV', 'Elko, NV', 'Winnemucca, NV', 'Lovelock, NV'], 'core'),
  r('rno', 'sac', ['Truckee, CA', 'Auburn, CA', 'Roseville, CA'], 'core'),
  r('las', 'rno', ['Beatty, NV', 'Tonopah, NV', 'Hawthorne, NV', 'Fallon, NV'], 'regional'),
  // I-84 and the Columbia River Gorge
  r('slc', 'boi', ['Ogden, UT', 'Tremonton, UT', 'Burley, ID', 'Twin Falls, ID', 'Mountain Home, ID'], 'standard'),
  r('boi', 'dls', ['Ontario, OR', 'Baker City, OR', 'La Grande, OR', 'Pendleton, OR', 'Boardman, OR'], 'standard'),
  r('dls', 'pdx', ['Hood River, OR', 'Troutdale, OR'], 'core'),
  // I-90 over Snoqualmie Pass, US-2 / BNSF over Stevens Pass, I-90 east to Spokane
  r('qcy', 'sea', ['Vantage, WA', 'Ellensburg, WA', 'Snoqualmie Pass, WA', 'Issaquah, WA'], 'core', [], 'i90'),
  r('qcy', 'sea', ['Wenatchee, WA', 'Leavenworth, WA', 'Stevens Pass, WA', 'Everett, WA'], 'standard', [], 'us2'),
  r('geg', 'qcy', ['Ritzville, WA', 'Moses Lake, WA'], 'core'),
];
