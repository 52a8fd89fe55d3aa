/** The price book as an editable form: money in dollars as typed, percentages and hours as text. */
import type { PriceBook, Product, ProductPrice } from '../api/ordering-types.js';
import { moneyInput, parseMoney } from '../ui/format.js';

export const PRICE_FIELDS: readonly { key: keyof ProductPrice; label: string }[] = [
  { key: 'fixedMonthlyMinor', label: 'Fixed / month' },
  { key: 'perKmMonthlyMinor', label: 'Per km / month' },
  { key: 'perGbpsMonthlyMinor', label: 'Per Gbps / month' },
];

export const BOOK_PRODUCTS: readonly Product[] = ['wave', 'ethernet', 'cloud-connect', 'dark-fiber'];

export interface PriceBookForm {
  products: Record<Product, Record<keyof ProductPrice, string>>;
  protectPathPercent: string;
  restorableSurchargePercent: string;
  hoursPerMonth: string;
}

/** The form showing a book. */
export function formOfBook(b: PriceBook): PriceBookForm {
  const products = {} as PriceBookForm['products'];
  for (const p of BOOK_PRODUCTS) {
    const row = b.products[p];
    products[p] = { fixedMonthlyMinor: moneyInput(row.fixedMonthlyMinor), perKmMonthlyMinor: moneyInput(row.perKmMonthlyMinor), perGbpsMonthlyMinor: moneyInput(row.perGbpsMonthlyMinor) };
  }
  return { products, protectPathPercent: String(b.protectPathPercent), restorableSurchargePercent: String(b.restorableSurchargePercent), hoursPerMonth: String(b.hoursPerMonth) };
}

function intIn(text: string, lo: number, hi: number): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= lo && n <= hi ? n : null;
}

/** The book a form describes, or what is wrong with it (the server's limits, checked before sending). */
export function bookOfForm(f: PriceBookForm): { book: PriceBook } | { errors: string[] } {
  const errors: string[] = [];
  const products = {} as PriceBook['products'];
  for (const p of BOOK_PRODUCTS) {
    const row = {} as ProductPrice;
    for (const { key, label } of PRICE_FIELDS) {
      const minor = parseMoney(f.products[p][key]);
      if (minor === null || minor > 1e12) errors.push(`${p} ${label.toLowerCase()}: enter an amount in dollars, e.g. 1250.00`);
      else row[key] = minor;
    }
    products[p] = row;
  }
  const protect = intIn(f.protectPathPercent, 0, 1000);
  if (protect === null) errors.push('Protect path: a whole percentage from 0 to 1000');
  const restorable = intIn(f.restorableSurchargePercent, 0, 1000);
  if (restorable === null) errors.push('Restorable surcharge: a whole percentage from 0 to 1000');
  const hours = intIn(f.hoursPerMonth, 1, 744);
  if (hours === null) errors.push('Hours per month: a whole number from 1 to 744');
  if (errors.length > 0 || protect === null || restorable === null || hours === null) return { errors };
  return { book: { currency: 'USD', products, protectPathPercent: protect, restorableSurchargePercent: restorable, hoursPerMonth: hours } };
}
