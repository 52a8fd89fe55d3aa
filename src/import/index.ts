/**
 * Topology import: detects a file's format and parses it into a validated Network with a report of
 * everything skipped or merged. Pure: callers read the file and pass its name and text.
 */
import { ImportError } from './errors.js';
import { parseGeoJsonNetwork } from './geojson.js';
import { parseGmlNetwork } from './gml.js';
import { parseGnpyNetwork } from './gnpy.js';
import { parseN2pNetwork } from './n2p.js';
import { parseProjectJson } from './project-json.js';
import { parseSndlibNetwork } from './sndlib.js';
import type { ImportFormat, ImportResult } from './types.js';

export type { ImportFormat, ImportReport, ImportResult, SkippedItem } from './types.js';
export { ImportError, formatImportIssue } from './errors.js';
export type { ImportIssue } from './errors.js';

import { IMPORT_FORMATS } from './formats.js';

export { IMPORT_FORMATS } from './formats.js';

const BY_EXTENSION: Record<string, ImportFormat> = { gml: 'gml', n2p: 'n2p', xml: 'n2p', geojson: 'geojson' };

/** JSON flavour by content: a FeatureCollection is GeoJSON, anything else the project format. */
function jsonFlavour(text: string): ImportFormat {
  if (/"type"\s*:\s*"FeatureCollection"/.test(text)) return 'geojson';
  // GNPy topologies: an "elements" list and "connections" with from_node/to_node.
  if (/"elements"\s*:/.test(text) && /"from_node"\s*:/.test(text)) return 'gnpy';
  return 'json';
}

function sniff(text: string): ImportFormat | null {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('<')) return 'n2p';
  if (t.startsWith('{')) return jsonFlavour(t);
  if (t.startsWith('?SNDlib') || /^\s*NODES\s*\(/m.test(t)) return 'sndlib';
  if (/^\s*graph\s*\[/m.test(t)) return 'gml';
  return null;
}

/** Format of a file: by extension (.gml .n2p .xml .geojson; .json and .txt by content), then by sniffing the text. */
export function detectFormat(fileName: string, text: string): ImportFormat {
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
  const byExt = BY_EXTENSION[ext];
  if (byExt !== undefined) return byExt;
  if (ext === 'json') return jsonFlavour(text);
  const sniffed = sniff(text);
  if (sniffed !== null) return sniffed;
  throw new ImportError([
    {
      file: fileName,
      line: 1,
      field: 'format',
      message: text.trim().length === 0 ? 'empty file' : `cannot tell the format; expected one of ${IMPORT_FORMATS.join(', ')}`,
    },
  ]);
}

/** Parses a topology file into a validated network; throws ImportError listing every problem as file:line: field: problem. */
export function parseNetwork(fileName: string, text: string, format?: ImportFormat): ImportResult {
  const body = text.replace(/^\uFEFF/, '');
  switch (format ?? detectFormat(fileName, body)) {
    case 'gml':
      return parseGmlNetwork(fileName, body);
    case 'sndlib':
      return parseSndlibNetwork(fileName, body);
    case 'n2p':
      return parseN2pNetwork(fileName, body);
    case 'geojson':
      return parseGeoJsonNetwork(fileName, body);
    case 'json':
      return parseProjectJson(fileName, body);
    case 'gnpy':
      return parseGnpyNetwork(fileName, body);
  }
}
