/**
 * The composition root of the use cases: one object holding every service over one database, built
 * once per process (server or CLI command) and handed to the edges.
 */
import type { Db } from '../store/db.js';
import { InventoryService } from './inventory.js';
import { PathService } from './paths.js';

export interface Services {
  db: Db;
  inventory: InventoryService;
  paths: PathService;
}

/** Builds every service over one database. */
export function createServices(db: Db): Services {
  const inventory = new InventoryService(db);
  const paths = new PathService(inventory);
  return { db, inventory, paths };
}

/** Stops background work services run (workers, timers); the database stays open. */
export async function stopServices(_services: Services): Promise<void> {}
