/**
 * `lightpath qot --network FILE --equipment FILE [--from A --to Z] [--power-dbm P]`: quality of
 * transmission of a GNPy topology between two transceivers, like GNPy's gnpy-transmission-example:
 * the network is designed (amplifiers placed and set), the SI comb propagated along the shortest
 * path, and each element's and the receiver's GSNR (0.1 nm and signal bandwidth), OSNR-ASE, CD, PMD
 * and latency printed. Reads files only; never opens the store.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { LightpathError, validationFailed } from '../../domain/errors.js';
import { DesignError } from '../../engine/qot/design.js';
import { mean } from '../../engine/qot/path.js';
import type { ChannelQuality } from '../../engine/qot/path.js';
import { runTransmission } from '../../engine/qot/transmission.js';
import type { TransmissionResult } from '../../engine/qot/transmission.js';
import { ImportError } from '../../import/errors.js';
import { parseGnpyEquipment, parseGnpyTopology } from '../../import/gnpy.js';
import type { NamedText } from '../../import/gnpy.js';
import { globals, renderTable } from '../context.js';

interface QotOptions {
  network: string;
  equipment: string;
  from?: string;
  to?: string;
  powerDbm?: number;
  extraConfig?: string[];
  noInsertEdfas?: boolean;
}

function finite(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('must be a number');
  return n;
}

const r2 = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : x === -Infinity ? '-inf' : 'inf');

/** Amplifier configuration files the equipment names, read from beside it, plus any given. */
function amplifierConfigs(equipmentFile: string, text: string, extra: string[]): NamedText[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/"(?:advanced|default)_config_from_json"\s*:\s*"([^"]+)"/g)) names.add(m[1]);
  const out: NamedText[] = extra.map((f) => ({ file: f, text: fs.readFileSync(f, 'utf8') }));
  for (const n of names) {
    const p = path.join(path.dirname(equipmentFile), path.basename(n));
    if (!out.some((o) => path.basename(o.file) === path.basename(n)) && fs.existsSync(p)) out.push({ file: p, text: fs.readFileSync(p, 'utf8') });
  }
  return out;
}

function summary(q: ChannelQuality) {
  return {
    channels: q.gsnrDb.length,
    gsnr01nmDb: r2(mean(q.gsnr01nmDb)),
    gsnrDb: r2(mean(q.gsnrDb)),
    minGsnr01nmDb: r2(Math.min(...q.gsnr01nmDb)),
    osnrAse01nmDb: r2(mean(q.osnrAse01nmDb)),
    osnrAseDb: r2(mean(q.osnrAseDb)),
    snrNliDb: r2(mean(q.snrNliDb)),
    powerDbm: r2(mean(q.powerDbm)),
    cdPsPerNm: r2(mean(q.cdPsPerNm)),
    pmdPs: r2(mean(q.pmdPs)),
    pdlDb: r2(mean(q.pdlDb)),
    latencyUs: r2(mean(q.latencyUs)),
  };
}

/** The JSON answer: per element and at the receiver, channel means; per channel at the receiver. */
export function qotJson(res: TransmissionResult) {
  return {
    source: res.source,
    destination: res.destination,
    referencePowerDbm: res.referencePowerDbm,
    path: res.path,
    amplifiersPlacedByDesign: res.additions.amplifiers,
    elements: res.elements.map((e) => ({ uid: e.uid, kind: e.kind, ...summary(e.quality) })),
    receiver: {
      ...summary(res.receiver),
      perChannel: Array.from(res.receiver.frequencyHz, (f, i) => ({
        frequencyThz: Math.round(f * 1e-7) / 1e5,
        gsnrDb: r2(res.receiver.gsnrDb[i]),
        gsnr01nmDb: r2(res.receiver.gsnr01nmDb[i]),
        osnrAseDb: r2(res.receiver.osnrAseDb[i]),
        snrNliDb: r2(res.receiver.snrNliDb[i]),
      })),
    },
  };
}

export function registerQotCommand(program: Command): void {
  program
    .command('qot')
    .description('quality of transmission (GSNR, OSNR, CD, PMD, latency) of a GNPy network between two transceivers')
    .requiredOption('--network <file>', 'GNPy topology JSON (elements + connections)')
    .requiredOption('--equipment <file>', 'GNPy equipment library JSON (eqpt_config.json)')
    .option('--from <uid>', 'source transceiver (default: the first one)')
    .option('--to <uid>', 'destination transceiver (default: the next one)')
    .option('--power-dbm <dBm>', 'per-channel launch power in spans (default: the SI power_dbm)', finite)
    .option('--extra-config <files...>', 'amplifier configuration files the equipment names (default: looked up beside it)')
    .option('--no-insert-edfas', 'do not split fibers nor insert amplifiers')
    .action((opts: QotOptions & { insertEdfas?: boolean }, cmd: Command) => {
      const eqText = fs.readFileSync(opts.equipment, 'utf8');
      const netText = fs.readFileSync(opts.network, 'utf8');
      let res: TransmissionResult;
      try {
        const eq = parseGnpyEquipment(eqText, opts.equipment, amplifierConfigs(opts.equipment, eqText, opts.extraConfig ?? []));
        const topo = parseGnpyTopology(netText, opts.network, eq);
        res = runTransmission(topo.network, eq, { from: opts.from, to: opts.to, powerDbm: opts.powerDbm, noInsertEdfas: opts.insertEdfas === false, missingConnectors: topo.missingConnectors });
      } catch (e) {
        if (e instanceof ImportError) throw validationFailed(e.issues.length === 1 ? e.message : `${e.issues.length} problems in the input files`, e.issues.map((i) => ({ path: i.field, message: i.message, file: i.file, line: i.line })));
        if (e instanceof DesignError || e instanceof RangeError) throw new LightpathError('validation-failed', e.message);
        throw e;
      }
      if (globals(cmd).json) {
        process.stdout.write(JSON.stringify(qotJson(res), null, 2) + '\n');
        return;
      }
      const fibers = res.elements.filter((e) => e.kind === 'Fiber').length;
      const rows = res.elements.map((e) => {
        const s = summary(e.quality);
        return [e.uid, e.kind, s.powerDbm, s.gsnr01nmDb, s.gsnrDb, s.osnrAse01nmDb, s.cdPsPerNm, s.pmdPs, s.latencyUs];
      });
      const rx = summary(res.receiver);
      process.stdout.write(
        [
          `${res.source} → ${res.destination}: ${fibers} fiber spans, ${rx.channels} channels at ${res.referencePowerDbm.toFixed(2)} dBm reference power`,
          renderTable(['element', 'kind', 'pch out dBm', 'GSNR 0.1nm dB', 'GSNR bw dB', 'OSNR-ASE 0.1nm dB', 'CD ps/nm', 'PMD ps', 'latency µs'], rows),
          `Receiver ${res.destination}: GSNR ${rx.gsnr01nmDb} dB (0.1 nm), ${rx.gsnrDb} dB (signal bw), worst channel ${rx.minGsnr01nmDb} dB (0.1 nm); OSNR-ASE ${rx.osnrAse01nmDb} dB (0.1 nm); CD ${rx.cdPsPerNm} ps/nm; PMD ${rx.pmdPs} ps; PDL ${rx.pdlDb} dB; latency ${rx.latencyUs} µs`,
        ].join('\n') + '\n',
      );
    });
}
