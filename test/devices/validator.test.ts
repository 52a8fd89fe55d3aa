/**
 * The YANG validator's processes: a check goes to the process with the least left to check, so small
 * checks do not queue behind a large one while another process is idle. Run against a stand-in for
 * interactive yanglint (a shell script that answers unknown commands as yanglint does and takes
 * longer for a larger file), so the timing is the test's own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { YangValidator } from '../../src/devices/emulator/validator.js';
import { el } from '../../src/southbound/netconf/xml.js';
import { NS } from '../../src/southbound/openroadm/model.js';

const FAKE = `#!/bin/sh
while IFS= read -r line; do
  case "$line" in
    "data -t "*) f="\${line##* }"; if [ "$(wc -c < "$f")" -gt 10000 ]; then sleep 0.6; else sleep 0.02; fi ;;
    searchpath*|load*) ;;
    quit) exit 0 ;;
    *) echo "YANGLINT[E]: Unknown command \\"$line\\"" >&2 ;;
  esac
done
`;

test('a check goes to the process with the least left to check: small ones do not wait behind a large one', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-fake-yanglint-'));
  try {
    const bin = path.join(dir, 'yanglint');
    fs.writeFileSync(bin, FAKE, { mode: 0o755 });
    fs.mkdirSync(path.join(dir, 'yang'));
    const v = await YangValidator.start(path.join(dir, 'yang'), { binary: bin, processes: 2, cacheSize: 0 });
    try {
      const doc = (n: number, tag: string) => [el(NS.device, 'org-openroadm-device', [el(NS.device, 'info', [el(NS.device, 'node-id', tag), el(NS.device, 'clli', 'x'.repeat(n))])])];
      const done: string[] = [];
      const check = (n: number, tag: string) => v.validate(doc(n, tag)).then((r) => {
        assert.equal(r.ok, true);
        done.push(tag);
      });
      const t0 = performance.now();
      await Promise.all([check(50_000, 'large'), check(10, 'small1'), check(10, 'small2'), check(10, 'small3'), check(10, 'small4')]);
      assert.equal(done.at(-1), 'large', `every small check answered before the large one (order: ${done.join(', ')})`);
      assert.ok(performance.now() - t0 < 2000);
      assert.equal(v.stats.checked, 5);
    } finally {
      await v.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
