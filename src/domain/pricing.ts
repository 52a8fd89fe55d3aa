/**
 * Price book and availability estimates. Money is integer minor units (cents) so sums are exact.
 */
import type { FieldError } from './errors.js';
import { PRODUCTS, type Product, type Protection } from './products.js';

/** CONVENTIONS money: integer minor units of one currency. */
export interface Money {
  currency: 'USD';
  amountMinor: number;
}

/** Monthly price of one product: fixed part + per route km + per Gbps (all minor units, per month). */
export interface ProductPrice {
  fixedMonthlyMinor: number;
  perKmMonthlyMinor: number;
  perGbpsMonthlyMinor: number;
}

/** The operator-editable price book. */
export interface PriceBook {
  currency: 'USD';
  products: Record<Product, ProductPrice>;
  /** Multiplier on the protect path's price for protected-1+1, in percent (100 = full price again). */
  protectPathPercent: number;
  /** Surcharge for restorable service, in percent of the working path's price. */
  restorableSurchargePercent: number;
  /** Hours in the month the hourly price divides by (730 = 8760 / 12). */
  hoursPerMonth: number;
}

/** A starting price book; operators replace it with PUT /v1/pricebook. */
export const DEFAULT_PRICE_BOOK: PriceBook = Object.freeze({
  currency: 'USD',
  products: {
    'dark-fiber': { fixedMonthlyMinor: 250_000, perKmMonthlyMinor: 1_500, perGbpsMonthlyMinor: 0 },
    wave: { fixedMonthlyMinor: 100_000, perKmMonthlyMinor: 300, perGbpsMonthlyMinor: 500 },
    ethernet: { fixedMonthlyMinor: 50_000, perKmMonthlyMinor: 20, perGbpsMonthlyMinor: 2_000 },
    'cloud-connect': { fixedMonthlyMinor: 60_000, perKmMonthlyMinor: 20, perGbpsMonthlyMinor: 2_200 },
  },
  protectPathPercent: 80,
  restorableSurchargePercent: 25,
  hoursPerMonth: 730,
}) as PriceBook;

const MAX_MINOR = 1e12;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intIssue(v: unknown, path: string, min: number, max: number): FieldError[] {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? [] : [{ path, message: `must be an integer in [${min}, ${max}]` }];
}

/** Parses an untrusted price book; every field is required so a PUT replaces the whole book. */
export function parsePriceBook(input: unknown): { book: PriceBook } | { errors: FieldError[] } {
  if (!isObject(input)) return { errors: [{ path: '', message: 'must be an object' }] };
  const errors: FieldError[] = [];
  const top = new Set(['currency', 'products', 'protectPathPercent', 'restorableSurchargePercent', 'hoursPerMonth']);
  for (const k of Object.keys(input)) if (!top.has(k)) errors.push({ path: `/${k}`, message: `unknown field; allowed: ${[...top].join(', ')}` });
  if (input.currency !== 'USD') errors.push({ path: '/currency', message: 'must be "USD"' });
  errors.push(...intIssue(input.protectPathPercent, '/protectPathPercent', 0, 1000));
  errors.push(...intIssue(input.restorableSurchargePercent, '/restorableSurchargePercent', 0, 1000));
  errors.push(...intIssue(input.hoursPerMonth, '/hoursPerMonth', 1, 744));
  const products = input.products;
  if (!isObject(products)) errors.push({ path: '/products', message: 'must be an object with a price per product' });
  else {
    for (const k of Object.keys(products)) if (!(PRODUCTS as readonly string[]).includes(k)) errors.push({ path: `/products/${k}`, message: 'unknown product' });
    for (const p of PRODUCTS) {
      const v = products[p];
      if (!isObject(v)) {
        errors.push({ path: `/products/${p}`, message: 'required' });
        continue;
      }
      for (const k of Object.keys(v)) if (!['fixedMonthlyMinor', 'perKmMonthlyMinor', 'perGbpsMonthlyMinor'].includes(k)) errors.push({ path: `/products/${p}/${k}`, message: 'unknown field; allowed: fixedMonthlyMinor, perKmMonthlyMinor, perGbpsMonthlyMinor' });
      for (const k of ['fixedMonthlyMinor', 'perKmMonthlyMinor', 'perGbpsMonthlyMinor']) errors.push(...intIssue(v[k], `/products/${p}/${k}`, 0, MAX_MINOR));
    }
  }
  return errors.length > 0 ? { errors } : { book: input as unknown as PriceBook };
}

/** Monthly and hourly price of a circuit: working path, plus the protect path or restoration surcharge. */
export function priceCircuit(
  book: PriceBook,
  product: Product,
  protection: Protection,
  bandwidthGbps: number,
  workingKm: number,
  protectKm: number | null,
): { monthly: Money; hourly: Money } {
  const p = book.products[product];
  const pathPrice = (km: number) => p.fixedMonthlyMinor + p.perKmMonthlyMinor * km + p.perGbpsMonthlyMinor * bandwidthGbps;
  let monthly = pathPrice(workingKm);
  if (protection === 'protected-1+1' && protectKm !== null) monthly += (pathPrice(protectKm) * book.protectPathPercent) / 100;
  if (protection === 'restorable') monthly += (pathPrice(workingKm) * book.restorableSurchargePercent) / 100;
  const monthlyMinor = Math.round(monthly);
  // Round the hourly rate up so a month of hours never costs less than the monthly price.
  const hourlyMinor = Math.ceil(monthlyMinor / book.hoursPerMonth);
  return { monthly: { currency: 'USD', amountMinor: monthlyMinor }, hourly: { currency: 'USD', amountMinor: hourlyMinor } };
}

/**
 * Availability model. Assumption (planning default, stated because it drives the figure): fiber cuts
 * arrive at ~1 per 1,000 route-miles (1,609 km) per year and take a mean 12 h to repair, the rule of
 * thumb quoted in survivable-network planning (e.g. W. D. Grover, "Mesh-Based Survivable Networks",
 * Prentice Hall 2003, ch. 3, which reports measured rates of the same order). Cuts are independent,
 * so a path's spans combine in series and SRLG-disjoint 1+1 paths in parallel. A restorable service is
 * down for the restoration time instead of the repair time.
 */
export const CUTS_PER_KM_YEAR = 1 / 1609.344;
export const MTTR_HOURS = 12;
export const RESTORATION_HOURS = 0.25;
const HOURS_PER_YEAR = 8760;

/** Availability of one path of lengthKm with outages lasting outageHours each. */
export function pathAvailability(lengthKm: number, outageHours = MTTR_HOURS): number {
  // Exponential form of the series product over km: exact for many short independent segments.
  return Math.exp((-CUTS_PER_KM_YEAR * lengthKm * outageHours) / HOURS_PER_YEAR);
}

/** Availability estimate of a circuit given its working and (for 1+1) protect path lengths. */
export function circuitAvailability(protection: Protection, workingKm: number, protectKm: number | null): number {
  if (protection === 'protected-1+1' && protectKm !== null) {
    return 1 - (1 - pathAvailability(workingKm)) * (1 - pathAvailability(protectKm));
  }
  if (protection === 'restorable') return pathAvailability(workingKm, RESTORATION_HOURS);
  return pathAvailability(workingKm);
}

/**
 * Availability of a ROADM site carrying both legs of a protected circuit: the "five nines" objective
 * for network elements (Telcordia GR-512-CORE's 3 minutes a year for a switching system; the usual
 * planning figure for a transport node). An assumption stated with the figures it drives: only sites
 * both legs pass through enter a 1+1 circuit's availability, since one leg's own sites are covered by
 * the other leg.
 */
export const SHARED_SITE_AVAILABILITY = 0.99999;

/** One leg of a protected circuit as the availability model sees it. */
export interface LegRisks {
  /** Its spans: id, length and SRLGs. */
  spans: readonly { id: string; lengthKm: number; srlgIds: readonly string[] }[];
  /** Sites it passes through (not its two ends). */
  transitSiteIds: readonly string[];
}

/** What the two legs of a 1+1 circuit share, and the availability that results. */
export interface SharedRisk {
  spanIds: string[];
  srlgIds: string[];
  siteIds: string[];
  availability: number;
}

/**
 * Availability of a 1+1 circuit counting what its legs actually share: a shared span, a shared SRLG
 * (an event there cuts both legs; its length is taken as the shortest of its spans on the legs, the
 * most of any one span the shared conduit can be) and a shared transit site take both legs down
 * together; the rest of each leg fails independently. So A = A_shared × (1 − (1 − A_working')(1 − A_protect')),
 * where A_working' and A_protect' cover each leg's spans not shared. With nothing shared this is the
 * fully disjoint figure circuitAvailability gives.
 */
export function protectedAvailability(working: LegRisks, protect: LegRisks): SharedRisk {
  const pSpans = new Set(protect.spans.map((s) => s.id));
  const sharedSpans = working.spans.filter((s) => pSpans.has(s.id));
  const shared = new Set(sharedSpans.map((s) => s.id));
  const srlgKm = (leg: LegRisks) => {
    const m = new Map<string, number>();
    for (const s of leg.spans) if (!shared.has(s.id)) for (const g of s.srlgIds) m.set(g, Math.min(m.get(g) ?? Infinity, s.lengthKm));
    return m;
  };
  const wSrlg = srlgKm(working);
  const pSrlg = srlgKm(protect);
  const srlgIds = [...wSrlg.keys()].filter((g) => pSrlg.has(g)).sort();
  const pSites = new Set(protect.transitSiteIds);
  const siteIds = [...new Set(working.transitSiteIds.filter((v) => pSites.has(v)))].sort();
  let aShared = 1;
  for (const s of sharedSpans) aShared *= pathAvailability(s.lengthKm);
  for (const g of srlgIds) aShared *= pathAvailability(Math.min(wSrlg.get(g) as number, pSrlg.get(g) as number));
  for (let i = 0; i < siteIds.length; i++) aShared *= SHARED_SITE_AVAILABILITY;
  const own = (leg: LegRisks) => pathAvailability(leg.spans.filter((s) => !shared.has(s.id)).reduce((km, s) => km + s.lengthKm, 0));
  const availability = aShared * (1 - (1 - own(working)) * (1 - own(protect)));
  return { spanIds: sharedSpans.map((s) => s.id).sort(), srlgIds, siteIds, availability };
}
