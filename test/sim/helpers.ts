// Shared set-up for the simulator tests: the reference topologies and the DeepRMSA traffic model.
import fs from 'node:fs';
import { graphFromNetwork, type Graph } from '../../src/engine/graph.js';
import { parseNsfnetTxt } from '../../src/import/nsfnet-txt.js';
import { sharedData } from '../support/shared.js';

/** DeepRMSA / Optical RL-Gym node request probabilities for NSFNET (14 nodes). */
export const NSFNET_NODE_WEIGHTS = [
  0.01801802, 0.04004004, 0.05305305, 0.01901902, 0.04504505, 0.02402402, 0.06706707, 0.08908909, 0.13813814,
  0.12212212, 0.07607608, 0.12012012, 0.01901902, 0.16916917,
];

/** NSFNET of DeepRMSA as an engine graph. */
export function nsfnetGraph(): Graph {
  return graphFromNetwork(parseNsfnetTxt(fs.readFileSync(sharedData('optical', 'nsfnet_chen.txt'), 'utf8')));
}

/** Exact Erlang-B values from shared/data/erlangb_table.txt as [W, A, B] triples. */
export function erlangBTable(): [number, number, number][] {
  const lines = fs.readFileSync(sharedData('erlangb_table.txt'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  const header = lines.find((l) => l.startsWith('W\\A'));
  if (!header) throw new Error('erlangb_table.txt: no header');
  const loads = header.split(/\s+/).slice(1).map(Number);
  const out: [number, number, number][] = [];
  for (const l of lines.slice(lines.indexOf(header) + 1)) {
    const cells = l.split(/\s+/).map(Number);
    if (cells.some((c) => Number.isNaN(c))) continue;
    cells.slice(1).forEach((b, i) => out.push([cells[0], loads[i], b]));
  }
  return out;
}
