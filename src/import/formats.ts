/** The network file formats Lightpath imports (apart from the parsers, so a caller can list them cheaply). */
import type { ImportFormat } from './types.js';

export type { ImportFormat } from './types.js';

export const IMPORT_FORMATS: readonly ImportFormat[] = ['gml', 'sndlib', 'n2p', 'geojson', 'json', 'gnpy'];
