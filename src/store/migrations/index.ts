import { inventory } from './001-inventory.js';
import { ordering } from './002-ordering.js';
import { events } from './003-events.js';
import { resilience } from './004-resilience.js';
import { allocationKey } from './005-allocation-key.js';
import { trust } from './006-trust.js';
import { calendar } from './007-calendar.js';
import { southbound } from './008-southbound.js';
import { eventNames } from './009-event-names.js';
import { physics } from './010-physics.js';
import { transfers } from './011-transfers.js';
import { plans } from './012-plans.js';
import { transferWaves } from './013-transfer-waves.js';
import { eventOutbox } from './014-event-outbox.js';
import { occupancyDeletes } from './015-occupancy-deletes.js';
import { quotesJson } from './016-quotes-json.js';

/** A schema change, applied once, in order, in its own transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Every migration, oldest first. Append only: a released migration is never edited. The SQL sticks to
 * PostgreSQL 15 (CI's server) although PGlite is newer.
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'inventory', sql: inventory },
  { version: 2, name: 'ordering', sql: ordering },
  { version: 3, name: 'events', sql: events },
  { version: 4, name: 'resilience', sql: resilience },
  { version: 5, name: 'allocation-key', sql: allocationKey },
  { version: 6, name: 'trust', sql: trust },
  { version: 7, name: 'calendar', sql: calendar },
  { version: 8, name: 'southbound', sql: southbound },
  { version: 9, name: 'event-names', sql: eventNames },
  { version: 10, name: 'physics', sql: physics },
  { version: 11, name: 'transfers', sql: transfers },
  { version: 12, name: 'plans', sql: plans },
  { version: 13, name: 'transfer-waves', sql: transferWaves },
  { version: 14, name: 'event-outbox', sql: eventOutbox },
  { version: 15, name: 'occupancy-deletes', sql: occupancyDeletes },
  { version: 16, name: 'quotes-json', sql: quotesJson },
];
