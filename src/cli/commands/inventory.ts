import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { allowsTransit, hasRoadm, type Site, type Span, type Srlg } from '../../domain/network.js';
import { IMPORT_FORMATS, type ImportFormat } from '../../import/formats.js';
import type { ImportOutcome } from '../../services/inventory.js';
import { allPages, withClient } from '../client.js';
import { output, renderTable } from '../context.js';
import { km, us } from '../format.js';

function importFormat(v: string): ImportFormat {
  if (!(IMPORT_FORMATS as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${IMPORT_FORMATS.join(', ')}`);
  return v as ImportFormat;
}

/** `import`, `export`, `sites`, `spans`, `srlgs`. */
export function registerInventoryCommands(program: Command): void {
  program
    .command('import')
    .description('import a network file into an empty store (GML, SNDlib, Net2Plan, GeoJSON, project JSON, GNPy)')
    .argument('<file>', 'network file')
    .option('--format <format>', `one of ${IMPORT_FORMATS.join(', ')} (default: from the file)`, importFormat)
    .option('--replace', 'replace the network the store holds')
    .option('--disconnect-services', 'with --replace: first disconnect every live service (refused otherwise)')
    .action(async (file: string, opts: { format?: ImportFormat; replace?: boolean; disconnectServices?: boolean }, cmd: Command) => {
      const text = fs.readFileSync(file, 'utf8');
      const out = await withClient(
        cmd,
        (c) =>
          c.request<ImportOutcome>('POST', '/v1/network/import', {
            query: { fileName: path.basename(file), format: opts.format, replace: opts.replace ?? false, disconnectServices: opts.disconnectServices ?? false },
            text,
          }),
        // An import into an empty store loads only that file's network, not the built-in one first.
        { initialize: false },
      );
      output(cmd, out, () => {
        const r = out.report;
        const lines = [
          `imported ${r.file} (${r.format}): ${out.counts.sites} sites, ${out.counts.spans} spans, ${out.counts.srlgs} SRLGs`,
          `file declares ${r.nodesInFile} nodes and ${r.edgesInFile} edges; skipped ${r.skipped.length}, merged ${r.merged.length}`,
        ];
        for (const s of r.skipped.slice(0, 20)) lines.push(`  skipped ${s.kind} ${s.id} (line ${s.line}): ${s.reason}`);
        if (r.skipped.length > 20) lines.push(`  … and ${r.skipped.length - 20} more skipped (use --json for all)`);
        for (const m of r.merged.slice(0, 10)) lines.push(`  merged ${m.kind} ${m.id} (line ${m.line}): ${m.reason}`);
        if (r.merged.length > 10) lines.push(`  … and ${r.merged.length - 10} more merged`);
        for (const w of r.warnings) lines.push(`  warning: ${w}`);
        if (out.disconnectedServices.length > 0) lines.push(`disconnected ${out.disconnectedServices.length} services first`);
        return lines.join('\n');
      });
    });

  program
    .command('export')
    .description('export the network as GeoJSON or the project JSON')
    .option('--format <format>', 'geojson or json', (v) => {
      if (v !== 'geojson' && v !== 'json') throw new InvalidArgumentError('must be geojson or json');
      return v;
    }, 'geojson')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (opts: { format: 'geojson' | 'json'; output?: string }, cmd: Command) => {
      const doc = await withClient(cmd, (c) => c.request<unknown>('GET', '/v1/network', { query: { format: opts.format } }));
      const text = JSON.stringify(doc, null, 2) + '\n';
      if (opts.output) fs.writeFileSync(opts.output, text);
      else process.stdout.write(text);
    });

  program
    .command('sites')
    .description('list sites')
    .option('--kind <kind>', 'only sites of this kind')
    .option('--metro <metro>', 'only sites in this metro')
    .action(async (opts: { kind?: string; metro?: string }, cmd: Command) => {
      const items = await withClient(cmd, (c) => allPages<Site>(c, '/v1/sites', { kind: opts.kind, metro: opts.metro }));
      output(cmd, { items, nextCursor: null }, () =>
        renderTable(['id', 'name', 'kind', 'metro', 'lat', 'lon', 'cloud', 'transit'], items.map((x) => [
          x.id, x.name, x.kind, x.metro, x.lat.toFixed(4), x.lon.toFixed(4), x.cloudProvider ? `${x.cloudProvider} ${x.cloudRegion ?? ''}` : null, allowsTransit(x) ? (hasRoadm(x) ? 'yes (ROADM)' : 'yes') : 'endpoint only',
        ])) + `\n${items.length} sites`,
      );
    });

  program
    .command('transit')
    .description('whether circuits may pass through a site (operators): on for POPs and amplifier huts by default, off (endpoint only) for data centers and cloud on-ramps')
    .argument('<site>', 'site id')
    .argument('<onOff>', 'on or off')
    .action(async (site: string, onOff: string, _opts: unknown, cmd: Command) => {
      if (onOff !== 'on' && onOff !== 'off') throw new InvalidArgumentError('must be on or off');
      const s = await withClient(cmd, (c) => c.request<Site>('PATCH', `/v1/sites/${encodeURIComponent(site)}`, { body: { transit: onOff === 'on' } }));
      output(cmd, s, () => `${s.id}: ${allowsTransit(s) ? 'circuits may pass through' : 'endpoint only (no transit)'}`);
    });

  program
    .command('spans')
    .description('list spans')
    .option('--site <id>', 'only spans ending at this site')
    .option('--srlg <id>', 'only spans in this SRLG')
    .action(async (opts: { site?: string; srlg?: string }, cmd: Command) => {
      const items = await withClient(cmd, (c) => allPages<Span & { latencyUs: number; amplifiers?: { role: string; placedByDefault: boolean }[] }>(c, '/v1/spans', { siteId: opts.site, srlgId: opts.srlg }));
      output(cmd, { items, nextCursor: null }, () =>
        renderTable(['id', 'a', 'z', 'km', 'latency µs', 'SRLGs', 'strands (in use)', 'slots', 'fiber', 'in-line amps'], items.map((x) => {
          const amps = (x.amplifiers ?? []).filter((a) => a.role === 'in-line');
          return [
            x.id, x.aSiteId, x.zSiteId, km(x.lengthKm), us(x.latencyUs), x.srlgIds.join(' '),
            x.cables.map((c) => `${c.strandCount} (${c.strandsInUse})`).join(', '), x.lineSystem ? x.lineSystem.slotCount : 'dark',
            x.fiberType ?? null, x.lineSystem ? `${amps.length}${amps.some((a) => a.placedByDefault) ? ' (placed by rule)' : ''}` : null,
          ];
        })) + `\n${items.length} spans`,
      );
    });

  program
    .command('srlgs')
    .description('list shared-risk link groups')
    .action(async (_opts: unknown, cmd: Command) => {
      const items = await withClient(cmd, (c) => allPages<Srlg>(c, '/v1/srlgs'));
      output(cmd, { items, nextCursor: null }, () => renderTable(['id', 'name', 'kind'], items.map((x) => [x.id, x.name, x.kind])) + `\n${items.length} SRLGs`);
    });
}
