/**
 * Validation of a device datastore against the OpenROADM YANG models with libyang's yanglint
 * (Debian package libyang2-tools), run as one long-lived interactive process: the modules are
 * loaded once, then each datastore is checked with `data -t config FILE`. A fresh `yanglint`
 * per check would load ~60 modules every time (tens of ms, see bench/southbound.ts); the
 * long-lived one answers in well under a millisecond for a small datastore. Results are cached
 * by content hash (re-running an idempotent activation re-validates identical datastores).
 *
 * Without YANG files (the product must not need ../shared at run time) a structural validator
 * checks what the emulator itself relies on: keys, references between interfaces, ports and
 * connections, and number formats.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { child, children, childText, serializeXml, type XElement } from '../../southbound/netconf/xml.js';
import { NS, OPENROADM_MODULES } from '../../southbound/openroadm/model.js';

/** One validation problem, with the data path libyang names when it has one. */
export interface ValidationIssue {
  message: string;
  /** Instance path with module-name prefixes (libyang's "Data location"), when known. */
  path?: string;
}

export interface ValidationResult {
  ok: boolean;
  issues: ValidationIssue[];
}

/** Checks a datastore: config (candidate/running) or data (config plus state, as <get> returns it). */
export interface DatastoreValidator {
  readonly kind: 'yang' | 'structural';
  validate(data: readonly XElement[], type?: 'config' | 'data'): Promise<ValidationResult>;
  close(): Promise<void>;
}

/** Modules loaded into yanglint (implemented): the device model, the interface augments used here, alarms, and the type modules whose identities the data uses. */
export const VALIDATED_MODULES = OPENROADM_MODULES.map((m) => m.name);

/** The directories to search under a YANG directory: itself and its immediate subdirectories (Common/, Device/, ietf/ ...). */
export function yangSearchPaths(yangDir: string): string[] {
  const abs = path.resolve(yangDir);
  const subdirs = fs
    .readdirSync(abs, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(abs, d.name))
    .sort();
  return [abs, ...subdirs];
}

/** Thrown when yanglint cannot be started or cannot load the models. */
export class ValidatorUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidatorUnavailableError';
  }
}

const LIBYANG_ERROR = /^libyang\[0\]: (.*?)(?: \(path: (?:Data|Schema) location "([^"]*)"(?:, line number \d+)?\.\))?$/;

/** Parses yanglint's stderr lines of one command into issues (errors only; warnings are level 1+). */
export function parseYanglintErrors(lines: readonly string[]): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const line of lines) {
    const m = LIBYANG_ERROR.exec(line);
    if (m) out.push(m[2] ? { message: m[1], path: m[2] } : { message: m[1] });
  }
  if (out.length === 0) {
    const other = lines.find((l) => l.startsWith('YANGLINT[E]'));
    if (other) out.push({ message: other.replace(/^YANGLINT\[E\]: /, '') });
  }
  return out;
}

interface Pending {
  sentinel: string;
  lines: string[];
  resolve: (lines: string[]) => void;
  reject: (err: Error) => void;
}

/** One interactive yanglint process; commands run one at a time, each followed by a sentinel. */
class YanglintProcess {
  private proc: ChildProcessWithoutNullStreams | null = null;
  private buf = '';
  private queue: Pending[] = [];
  private seq = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly workDir: string;
  private dead: Error | null = null;

  constructor(
    private readonly searchPaths: string[],
    private readonly modules: string[],
    private readonly binary: string,
  ) {
    this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lightpath-yanglint-'));
  }

  async start(): Promise<void> {
    // HOME points at a scratch directory: interactive yanglint keeps a history file there.
    const proc = spawn(this.binary, [], { cwd: this.workDir, env: { ...process.env, HOME: this.workDir }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout.on('data', () => {});
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk: string) => this.onData(chunk));
    const failAll = (err: Error) => {
      this.dead = err;
      for (const p of this.queue.splice(0)) p.reject(err);
    };
    proc.on('error', (err) => failAll(new ValidatorUnavailableError(`cannot run ${this.binary}: ${err.message} (install Debian's libyang2-tools)`)));
    proc.on('exit', (code, signal) => failAll(new ValidatorUnavailableError(`yanglint exited (${signal ?? code})`)));
    proc.stdin.on('error', () => {});
    const setup = [...this.searchPaths.map((p) => `searchpath ${p}`), `load ${this.modules.join(' ')}`];
    const lines = await this.command(setup.join('\n'));
    const errors = parseYanglintErrors(lines);
    if (errors.length > 0) throw new ValidatorUnavailableError(`yanglint cannot load the OpenROADM models: ${errors.map((e) => e.message).join('; ')}`);
  }

  private onData(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      const head = this.queue[0];
      if (!head) continue;
      if (line.includes(`"${head.sentinel}"`)) {
        this.queue.shift();
        head.resolve(head.lines);
      } else head.lines.push(line);
    }
  }

  /** Runs commands and returns the stderr lines they printed. */
  command(text: string): Promise<string[]> {
    if (this.dead) return Promise.reject(this.dead);
    const sentinel = `lightpath-sentinel-${++this.seq}`;
    return new Promise<string[]>((resolve, reject) => {
      this.queue.push({ sentinel, lines: [], resolve, reject });
      this.proc!.stdin.write(`${text}\n${sentinel}\n`);
    });
  }

  /** Characters of the documents sent to this process and not answered yet (its queue, for choosing a process). */
  pending = 0;

  /** Validates one document (serialized): one at a time, through a file in the scratch directory. */
  validate(xml: string, type: 'config' | 'data'): Promise<ValidationIssue[]> {
    this.pending += xml.length;
    const run = this.chain.then(async () => {
      const file = path.join(this.workDir, 'datastore.xml');
      await fs.promises.writeFile(file, xml);
      return parseYanglintErrors(await this.command(`data -t ${type} ${file}`));
    });
    this.chain = run.catch(() => {});
    void this.chain.then(() => (this.pending -= xml.length));
    return run;
  }

  async close(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (proc && proc.exitCode === null) {
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.stdin.end('quit\n');
        setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
      });
    }
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}

/** The datastore as one XML document (the <config>/<data> content under a wrapper is not what yanglint reads: it takes the top-level nodes). */
function documentOf(data: readonly XElement[]): string {
  return data.map((e) => serializeXml(e)).join('\n');
}

class Cache {
  private readonly map = new Map<string, ValidationResult>();
  constructor(private readonly size: number) {}
  get(k: string): ValidationResult | undefined {
    const v = this.map.get(k);
    if (v) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: string, v: ValidationResult): void {
    this.map.set(k, v);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value as string);
  }
}

/** Options of the YANG validator. */
export interface YangValidatorOptions {
  /** yanglint executable (default "yanglint" on PATH). */
  binary?: string;
  /** Processes validating in parallel (default 1). */
  processes?: number;
  /** Cached results (default 512; 0 disables the cache). */
  cacheSize?: number;
}

/** Validates against the YANG models in yangDir with long-lived yanglint processes. */
export class YangValidator implements DatastoreValidator {
  readonly kind = 'yang' as const;
  private readonly procs: YanglintProcess[];
  private readonly cache: Cache | null;
  /** Checks answered from the cache and by yanglint, and the documents' total size and wait for yanglint (for benchmarks). */
  readonly stats = { cached: 0, checked: 0, bytes: 0, ms: 0 };

  private constructor(procs: YanglintProcess[], cacheSize: number) {
    this.procs = procs;
    this.cache = cacheSize > 0 ? new Cache(cacheSize) : null;
  }

  /** Starts the yanglint processes and loads the models; throws ValidatorUnavailableError when it cannot. */
  static async start(yangDir: string, opts: YangValidatorOptions = {}): Promise<YangValidator> {
    if (!fs.existsSync(yangDir) || !fs.statSync(yangDir).isDirectory()) throw new ValidatorUnavailableError(`YANG directory ${yangDir} does not exist`);
    const paths = yangSearchPaths(yangDir);
    const procs = Array.from({ length: Math.max(1, opts.processes ?? 1) }, () => new YanglintProcess(paths, VALIDATED_MODULES, opts.binary ?? 'yanglint'));
    try {
      await Promise.all(procs.map((p) => p.start()));
    } catch (err) {
      await Promise.all(procs.map((p) => p.close()));
      throw err;
    }
    return new YangValidator(procs, opts.cacheSize ?? 512);
  }

  async validate(data: readonly XElement[], type: 'config' | 'data' = 'config'): Promise<ValidationResult> {
    const xml = documentOf(data);
    const key = this.cache ? `${type}:${createHash('sha1').update(xml).digest('base64')}` : '';
    const hit = this.cache?.get(key);
    if (hit) {
      this.stats.cached++;
      return hit;
    }
    this.stats.checked++;
    this.stats.bytes += xml.length;
    // The process with the least left to check (a check takes time about in proportion to its size):
    // taking them in turn put small checks behind a hub ROADM's large one while the other process was idle.
    const proc = this.procs.reduce((best, p) => (p.pending < best.pending ? p : best));
    const t0 = performance.now();
    const issues = await proc.validate(xml, type);
    this.stats.ms += performance.now() - t0;
    const result = { ok: issues.length === 0, issues };
    this.cache?.set(key, result);
    return result;
  }

  async close(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.close()));
  }
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * Structural checks without the YANG files: only OpenROADM device and alarm data at the top, list
 * keys present, interfaces and connections referring to things that exist, numbers where the
 * models have decimals. Weaker than YANG validation by design; the emulator warns when it runs
 * with this one.
 */
export class StructuralValidator implements DatastoreValidator {
  readonly kind = 'structural' as const;

  async validate(data: readonly XElement[]): Promise<ValidationResult> {
    return structuralCheck(data);
  }

  async close(): Promise<void> {}
}

/** The structural checks of StructuralValidator, synchronously. */
export function structuralCheck(data: readonly XElement[]): ValidationResult {
  const issues: ValidationIssue[] = [];
  const root = '/org-openroadm-device:org-openroadm-device';
  for (const top of data) {
    if (top.ns !== NS.device || top.name !== 'org-openroadm-device') issues.push({ message: `unexpected top-level node {${top.ns}}${top.name}`, path: `/${top.name}` });
  }
  const dev = data.find((t) => t.ns === NS.device && t.name === 'org-openroadm-device');
  if (!dev) return { ok: issues.length === 0, issues };
  const packs = new Map<string, Set<string>>();
  for (const cp of children(dev, 'circuit-packs')) {
    const name = childText(cp, 'circuit-pack-name');
    if (!name) continue;
    packs.set(name, new Set(children(cp, 'ports').map((p) => childText(p, 'port-name') ?? '')));
  }
  const ifaces = new Set(children(dev, 'interface').map((i) => childText(i, 'name') ?? ''));
  for (const i of children(dev, 'interface')) {
    const name = childText(i, 'name') ?? '';
    const at = `${root}/interface[name='${name}']`;
    if (!child(i, 'type')) issues.push({ message: 'Mandatory node "type" instance does not exist.', path: `${at}/type` });
    if (!child(i, 'administrative-state')) issues.push({ message: 'Mandatory node "administrative-state" instance does not exist.', path: `${at}/administrative-state` });
    const cp = childText(i, 'supporting-circuit-pack-name');
    const port = childText(i, 'supporting-port');
    if (cp !== undefined && !packs.has(cp)) issues.push({ message: `Invalid leafref value "${cp}" - no such circuit-pack.`, path: `${at}/supporting-circuit-pack-name` });
    if (port !== undefined && !(cp !== undefined && packs.get(cp)?.has(port))) issues.push({ message: `Invalid leafref value "${port}" - no such port on ${cp ?? '(no circuit-pack)'}.`, path: `${at}/supporting-port` });
    for (const s of children(i, 'supporting-interface-list')) if (!ifaces.has(s.text ?? '')) issues.push({ message: `Invalid leafref value "${s.text}" - no such interface.`, path: `${at}/supporting-interface-list` });
    for (const block of i.children.filter((c) => c.ns !== NS.device)) {
      for (const leaf of block.children) {
        if (/freq|frequency|width|power|loss/.test(leaf.name) && leaf.children.length === 0 && !(leaf.text !== null && DECIMAL.test(leaf.text))) {
          issues.push({ message: `Invalid decimal64 value "${leaf.text ?? ''}".`, path: `${at}/${block.name}/${leaf.name}` });
        }
      }
    }
  }
  for (const c of children(dev, 'roadm-connections')) {
    const name = childText(c, 'connection-name') ?? '';
    const at = `${root}/roadm-connections[connection-name='${name}']`;
    for (const [side, leaf] of [['source', 'src-if'], ['destination', 'dst-if']] as const) {
      const v = childText(child(c, side) ?? c, leaf);
      if (v !== undefined && !ifaces.has(v)) issues.push({ message: `Invalid leafref value "${v}" - no such interface.`, path: `${at}/${side}/${leaf}` });
    }
  }
  return { ok: issues.length === 0, issues };
}

/** A YANG validator on yangDir, or the structural one (with a warning through warn) when none is given. */
export async function createValidator(yangDir: string | undefined, warn: (message: string) => void, opts: YangValidatorOptions = {}): Promise<DatastoreValidator> {
  if (yangDir) return YangValidator.start(yangDir, opts);
  warn('no --yang-dir given: device configurations are validated structurally only (keys and references), not against the OpenROADM YANG models');
  return new StructuralValidator();
}
