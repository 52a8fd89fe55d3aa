/** The operator-editable price book: read by anyone with a key, replaced whole by operators. */
import { LightpathError, validationFailed } from '../../domain/errors.js';
import { DEFAULT_PRICE_BOOK, parsePriceBook, type PriceBook } from '../../domain/pricing.js';
import type { Db, Queryable } from '../../store/db.js';
import { audit } from '../audit.js';
import { getPriceBook, putPriceBook } from '../../store/tenancy.js';
import type { Principal } from './principal.js';

/** Reads the stored book (or the default before one was stored). */
export async function loadPriceBook(q: Queryable): Promise<PriceBook> {
  const stored = await getPriceBook(q);
  return priceBookFrom(stored ? stored.book : null);
}

/** The book from a stored document (null = none stored: the default). */
export function priceBookFrom(doc: unknown): PriceBook {
  if (doc === null) return DEFAULT_PRICE_BOOK;
  const parsed = parsePriceBook(doc);
  // A stored book was validated on the way in; failing here means someone edited the row by hand.
  if ('errors' in parsed) throw new LightpathError('internal', 'stored price book is invalid');
  return parsed.book;
}

/** Price book use cases. */
export class PriceBookService {
  constructor(private readonly db: Db) {}

  /** The current book. */
  async get(): Promise<PriceBook> {
    return loadPriceBook(this.db);
  }

  /** Replaces the book (operators only). */
  async put(p: Principal, input: unknown): Promise<PriceBook> {
    if (p.role !== 'operator') throw new LightpathError('forbidden', 'only operators can change the price book');
    const parsed = parsePriceBook(input);
    if ('errors' in parsed) throw validationFailed('invalid price book', parsed.errors);
    await this.db.transaction(async (tx) => {
      const before = await getPriceBook(tx);
      await putPriceBook(tx, parsed.book);
      await audit(tx, p, { action: 'pricebook.replace', subject: { kind: 'pricebook', id: 'current' }, before: before ? before.book : null, after: parsed.book });
    });
    return parsed.book;
  }
}
