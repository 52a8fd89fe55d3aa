import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { OrderingServices } from '../../services/ordering/index.js';
import { principalOf } from '../access.js';
import * as S from '../schemas.js';

const Minor = Type.Integer({ minimum: 0, maximum: 1e12 });
const ProductPrice = Type.Object({ fixedMonthlyMinor: Minor, perKmMonthlyMinor: Minor, perGbpsMonthlyMinor: Minor }, { additionalProperties: false });

export const PriceBook = Type.Object(
  {
    currency: Type.Literal('USD'),
    products: Type.Object(
      { 'dark-fiber': ProductPrice, wave: ProductPrice, ethernet: ProductPrice, 'cloud-connect': ProductPrice },
      { additionalProperties: false },
    ),
    protectPathPercent: Type.Integer({ minimum: 0, maximum: 1000 }),
    restorableSurchargePercent: Type.Integer({ minimum: 0, maximum: 1000 }),
    hoursPerMonth: Type.Integer({ minimum: 1, maximum: 744 }),
  },
  { additionalProperties: false },
);

/** GET (any key) and PUT (operators) the price book. */
export async function priceBookRoutes(app: AppInstance, { priceBook }: Pick<OrderingServices, 'priceBook'>): Promise<void> {
  app.get('/v1/pricebook', { config: { access: 'any' },
    schema: { operationId: 'getPriceBook', tags: ['ordering'], summary: 'The price book (money in integer minor units per month)', response: { 200: PriceBook, ...S.errorResponses(401) } },
  }, async () => priceBook.get());

  app.put('/v1/pricebook', { config: { access: 'operator' },
    schema: { operationId: 'replacePriceBook', tags: ['ordering'], summary: 'Replace the price book (operators)', body: PriceBook, response: { 200: PriceBook, ...S.errorResponses(400, 401, 403) } },
  }, async (req) => priceBook.put(principalOf(req), req.body));
}
