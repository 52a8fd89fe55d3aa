/**
 * The transcription in src/southbound/openroadm/model.ts against the OpenROADM 18.0 YANG files in
 * ../shared: module headers read from the files, lists / keys / leaf-lists from yanglint's tree
 * output of the same modules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KEYLESS_LISTS, LEAF_LISTS, LIST_KEYS, OPENROADM_MODULES } from '../../src/southbound/openroadm/model.js';
import { VALIDATED_MODULES, yangSearchPaths } from '../../src/devices/emulator/validator.js';
import { YANG_DIR } from './support.js';

function yangFile(name: string): string {
  for (const dir of yangSearchPaths(YANG_DIR)) {
    const f = path.join(dir, `${name}.yang`);
    if (fs.existsSync(f)) return f;
  }
  throw new Error(`no ${name}.yang under ${YANG_DIR}`);
}

test('module names, namespaces, prefixes and latest revisions match the YANG files', () => {
  for (const m of OPENROADM_MODULES) {
    const text = fs.readFileSync(yangFile(m.name), 'utf8');
    assert.equal(/^module\s+([\w-]+)/m.exec(text)?.[1], m.name);
    assert.equal(/^\s*namespace\s+"([^"]+)"/m.exec(text)?.[1], m.namespace, m.name);
    assert.equal(/^\s*prefix\s+"?([\w-]+)"?\s*;/m.exec(text)?.[1], m.prefix, m.name);
    const revisions = [...text.matchAll(/^\s*revision\s+"?(\d{4}-\d{2}-\d{2})"?/gm)].map((r) => r[1]).sort();
    assert.equal(revisions.at(-1), m.revision, m.name);
  }
});

/** Lists, keyless lists and leaf-lists of yanglint's tree output, by schema path of local names. */
function treeLists(tree: string): { lists: Map<string, string[]>; leafLists: Set<string>; keyless: Set<string> } {
  const lists = new Map<string, string[]>();
  const leafLists = new Set<string>();
  const keyless = new Set<string>();
  const stack: { col: number; name: string | null }[] = [];
  let inData = false;
  for (const line of tree.split('\n')) {
    if (line.startsWith('module:')) {
      inData = true;
      stack.length = 0;
      continue;
    }
    if (/^\s+(rpcs|notifications|augment .*):\s*$/.test(line)) inData = false;
    if (!inData) continue;
    const m = /^([\s|]*)\+--(rw|ro|:)\s*(\S+)(.*)$/.exec(line);
    if (!m) continue;
    const col = m[1].length;
    while (stack.length && stack[stack.length - 1].col >= col) stack.pop();
    if (m[2] === ':' || m[3].startsWith('(')) {
      stack.push({ col, name: null });
      continue;
    }
    const local = m[3].replace(/[*?!]$/, '').replace(/^[^:]+:/, '');
    const p = [...stack.filter((s) => s.name).map((s) => s.name), local].join('/');
    stack.push({ col, name: local });
    if (!m[3].endsWith('*')) continue;
    const keys = /^\s*\[([^\]]*)\]/.exec(m[4]);
    if (keys) lists.set(p, keys[1].split(/\s+/));
    else if (m[4].trim() === '') keyless.add(p);
    else leafLists.add(p);
  }
  return { lists, leafLists, keyless };
}

test('every list (with its keys) and leaf-list of the device, interface and alarm modules is transcribed, and nothing else', () => {
  const files = VALIDATED_MODULES.filter((n) => !n.includes('types')).map(yangFile);
  const args = yangSearchPaths(YANG_DIR).flatMap((p) => ['-p', p]);
  const tree = execFileSync('yanglint', [...args, '-f', 'tree', ...files], { encoding: 'utf8' });
  const t = treeLists(tree);
  assert.ok(t.lists.size > 50, 'the tree has the device lists');
  assert.deepEqual(new Map(Object.entries(LIST_KEYS).map(([k, v]) => [k, [...v]])), t.lists);
  assert.deepEqual(new Set(LEAF_LISTS), t.leafLists);
  assert.deepEqual(new Set(KEYLESS_LISTS), t.keyless);
});
