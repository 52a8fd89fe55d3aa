/**
 * Datastore operations against RFC 6241's own examples (§6.4 subtree filtering, §7.2 edit-config)
 * and its stated rules (data-exists, data-missing, default-operation none, error-options), plus
 * properties: a merge applied twice equals once; remove undoes a create.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { editConfig, subtreeFilter, type DatastoreSchema } from '../../src/devices/emulator/datastore.js';
import { parseXml, serializeXml, type XElement } from '../../src/southbound/netconf/xml.js';

const EX = 'http://example.com/schema/1.2/config';
const NCNS = 'urn:ietf:params:xml:ns:netconf:base:1.0';
// The example schema of RFC 6241 §6.4 / §7.2: top/users/user keyed by name, top/interface keyed by name.
const schema: DatastoreSchema = {
  listKeys: (p) => ({ 'top/users/user': ['name'], 'top/interface': ['name'], 'top/users/user/company-info/dept-list': ['id'] } as Record<string, string[]>)[p],
  isLeafList: (p) => p === 'top/users/user/tags',
  isKeylessList: () => false,
};

const doc = (xml: string): XElement[] => parseXml(`<w xmlns:nc="${NCNS}">${xml}</w>`).children;
const show = (es: XElement[]) => es.map((e) => serializeXml(e)).join('');

const USERS = doc(`<top xmlns="${EX}"><users>
  <user><name>root</name><type>superuser</type><full-name>Charlie Root</full-name><company-info><dept>1</dept><id>1</id></company-info></user>
  <user><name>fred</name><type>admin</type><full-name>Fred Flintstone</full-name><company-info><dept>2</dept><id>2</id></company-info></user>
  <user><name>barney</name><type>admin</type><full-name>Barney Rubble</full-name><company-info><dept>2</dept><id>3</id></company-info></user>
</users><interface><name>eth0</name><mtu>1500</mtu></interface></top>`);

test('RFC 6241 §6.4.2-6.4.5: subtree filter selection, containment and content match', () => {
  // §6.4.2: select the users subtree.
  assert.equal(subtreeFilter(USERS, doc(`<top xmlns="${EX}"><users/></top>`))[0].children[0].children.length, 3);
  // §6.4.5: one user by content match returns all of its content.
  const fred = subtreeFilter(USERS, doc(`<top xmlns="${EX}"><users><user><name>fred</name></user></users></top>`));
  assert.equal(show(fred), show(doc(`<top xmlns="${EX}"><users><user><name>fred</name><type>admin</type><full-name>Fred Flintstone</full-name><company-info><dept>2</dept><id>2</id></company-info></user></users></top>`)));
  // §6.4.4: selected leaves of every user (name and type only).
  const names = subtreeFilter(USERS, doc(`<top xmlns="${EX}"><users><user><name/><type/></user></users></top>`));
  assert.deepEqual(names[0].children[0].children.map((u) => u.children.map((c) => c.name)), [['name', 'type'], ['name', 'type'], ['name', 'type']]);
  // §6.4.7 style: content match on a non-key leaf picks entries with that value; the others go.
  const admins = subtreeFilter(USERS, doc(`<top xmlns="${EX}"><users><user><type>admin</type><name/></user></users></top>`));
  assert.deepEqual(admins[0].children[0].children.map((u) => u.children.find((c) => c.name === 'name')!.text), ['fred', 'barney']);
  // No match anywhere: nothing.
  assert.deepEqual(subtreeFilter(USERS, doc(`<top xmlns="${EX}"><users><user><name>wilma</name></user></users></top>`)), []);
  // Another namespace does not match; an empty filter selects nothing (§6.4.1).
  assert.deepEqual(subtreeFilter(USERS, doc(`<top xmlns="urn:other"><users/></top>`)), []);
  assert.deepEqual(subtreeFilter(USERS, []), []);
});

test('many sibling content-match filters (a read-back of many circuits) select what each would select alone, in datastore order', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('root', 'fred', 'barney', 'wilma', 'admin', 'superuser'), { minLength: 1, maxLength: 6 }), fc.constantFrom('name', 'type'), fc.boolean(), (values, leaf, mixed) => {
      // The oracle is the rule itself (an entry whose leaf holds one of the values, whole); `mixed` adds a
      // sibling that also selects leaves, so the siblings are not all alike.
      const one = (v: string) => `<user><${leaf}>${v}</${leaf}></user>`;
      const extra = mixed ? '<user><name>fred</name><type/></user>' : '';
      const together = subtreeFilter(USERS, doc(`<top xmlns="${EX}"><users>${values.map(one).join('')}${extra}</users></top>`));
      const text = (u: XElement, k: string) => u.children.find((c) => c.name === k)!.text!;
      const byValue = (u: XElement) => (values as string[]).includes(text(u, leaf));
      const want = USERS[0].children[0].children.filter((u) => byValue(u) || (mixed && text(u, 'name') === 'fred'));
      const got = together.length ? together[0].children[0].children : [];
      assert.deepEqual(got.map((u) => text(u, 'name')), want.map((u) => text(u, 'name')));
      for (const u of got) assert.equal(u.children.length, byValue(u) ? 4 : 2, 'whole when a value selects it; else the mixed-in node\'s name and type');
    }),
    { seed: 17, numRuns: 200 },
  );
});

test('RFC 6241 §7.2: merge, replace, create, delete, remove and their errors', () => {
  const merged = editConfig(USERS, doc(`<top xmlns="${EX}"><interface><name>eth0</name><mtu>9000</mtu></interface><interface><name>eth1</name><mtu>1500</mtu></interface></top>`), { schema });
  assert.deepEqual(merged.errors, []);
  const ifs = merged.data[0].children.filter((c) => c.name === 'interface');
  assert.deepEqual(ifs.map((i) => [i.children[0].text, i.children[1].text]), [['eth0', '9000'], ['eth1', '1500']]);
  // replace swaps the whole entry (the old full-name goes).
  const replaced = editConfig(USERS, doc(`<top xmlns="${EX}"><users><user nc:operation="replace"><name>fred</name><type>user</type></user></users></top>`), { schema });
  const fred = replaced.data[0].children[0].children.find((u) => u.children[0].text === 'fred')!;
  assert.deepEqual(fred.children.map((c) => c.name), ['name', 'type']);
  // create of an existing entry: data-exists; delete of a missing one: data-missing; remove of a missing one: fine.
  const exists = editConfig(USERS, doc(`<top xmlns="${EX}"><interface nc:operation="create"><name>eth0</name></interface></top>`), { schema });
  assert.equal(exists.errors[0].tag, 'data-exists');
  assert.match(exists.errors[0].path!, /interface\[.*name='eth0'\]/);
  const missing = editConfig(USERS, doc(`<top xmlns="${EX}"><interface nc:operation="delete"><name>eth9</name></interface></top>`), { schema });
  assert.equal(missing.errors[0].tag, 'data-missing');
  const removed = editConfig(USERS, doc(`<top xmlns="${EX}"><interface nc:operation="remove"><name>eth9</name></interface><users><user nc:operation="delete"><name>barney</name></user></users></top>`), { schema });
  assert.deepEqual(removed.errors, []);
  assert.equal(removed.data[0].children[0].children.length, 2);
  // A list entry without its key, and an unknown operation, are errors.
  assert.equal(editConfig(USERS, doc(`<top xmlns="${EX}"><interface><mtu>1</mtu></interface></top>`), { schema }).errors[0].tag, 'missing-element');
  assert.equal(editConfig(USERS, doc(`<top xmlns="${EX}"><interface nc:operation="frob"><name>eth0</name></interface></top>`), { schema }).errors[0].tag, 'bad-attribute');
  // The input datastore is never modified.
  assert.equal(USERS[0].children.filter((c) => c.name === 'interface').length, 1);
});

test('default-operation none and error-options (RFC 6241 §7.2)', () => {
  // none: leaves without an operation change nothing; a missing level is data-missing.
  const none = editConfig(USERS, doc(`<top xmlns="${EX}"><interface><name>eth0</name><mtu>1</mtu></interface></top>`), { schema, defaultOperation: 'none' });
  assert.deepEqual(none.errors, []);
  assert.equal(show(none.data), show(USERS));
  const noneDelete = editConfig(USERS, doc(`<top xmlns="${EX}"><interface><name>eth0</name><mtu nc:operation="delete"/></interface></top>`), { schema, defaultOperation: 'none' });
  assert.equal(noneDelete.data[0].children.find((c) => c.name === 'interface')!.children.length, 1);
  assert.equal(editConfig(USERS, doc(`<top xmlns="${EX}"><interface><name>eth7</name><mtu>1</mtu></interface></top>`), { schema, defaultOperation: 'none' }).errors[0].tag, 'data-missing');
  const edits = doc(`<top xmlns="${EX}"><interface nc:operation="delete"><name>nope</name></interface><interface><name>eth5</name></interface></top>`);
  // stop-on-error: the first error stops; continue-on-error: the valid edit applies and the error is reported.
  const stop = editConfig(USERS, edits, { schema, errorOption: 'stop-on-error' });
  assert.equal(stop.errors.length, 1);
  assert.equal(stop.data[0].children.filter((c) => c.name === 'interface').length, 1);
  const cont = editConfig(USERS, edits, { schema, errorOption: 'continue-on-error' });
  assert.equal(cont.errors.length, 1);
  assert.equal(cont.data[0].children.filter((c) => c.name === 'interface').length, 2);
});

test('properties: merging an edit twice equals merging it once; removing created entries restores the datastore', () => {
  const entry = fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd'), mtu: fc.integer({ min: 1, max: 9000 }) });
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 6 }), fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 3 }), (es, fresh) => {
      const edit = doc(`<top xmlns="${EX}">${es.map((e) => `<interface><name>${e.name}</name><mtu>${e.mtu}</mtu></interface>`).join('')}</top>`);
      const once = editConfig(USERS, edit, { schema });
      const twice = editConfig(once.data, edit, { schema });
      assert.equal(show(twice.data), show(once.data));
      const names = [...new Set(fresh)];
      const created = editConfig(USERS, doc(`<top xmlns="${EX}">${names.map((n) => `<interface nc:operation="create"><name>new-${n}</name><mtu>1</mtu></interface>`).join('')}</top>`), { schema });
      assert.deepEqual(created.errors, []);
      const back = editConfig(created.data, doc(`<top xmlns="${EX}">${names.map((n) => `<interface nc:operation="remove"><name>new-${n}</name></interface>`).join('')}</top>`), { schema });
      assert.equal(show(back.data), show(USERS));
    }),
  );
});

test('leaf-list entries are identified by value; identities compare by namespace, not prefix', () => {
  const withTags = editConfig(USERS, doc(`<top xmlns="${EX}"><users><user><name>fred</name><tags>a</tags><tags>b</tags></user></users></top>`), { schema });
  const again = editConfig(withTags.data, doc(`<top xmlns="${EX}"><users><user><name>fred</name><tags>b</tags><tags nc:operation="delete">a</tags></user></users></top>`), { schema });
  assert.deepEqual(again.errors, []);
  const fred = again.data[0].children[0].children.find((u) => u.children[0].text === 'fred')!;
  assert.deepEqual(fred.children.filter((c) => c.name === 'tags').map((c) => c.text), ['b']);
  const a = parseXml('<x xmlns:p="urn:ids"><t>p:one</t></x>').children[0];
  const b = parseXml('<x xmlns:q="urn:ids"><t>q:one</t></x>').children[0];
  assert.equal(subtreeFilter([a], [b]).length, 1, 'same identity under different prefixes');
});

test('an edit leaves its input as it was and shares with it what it does not change', () => {
  const before = show(USERS);
  const r = editConfig(USERS, doc(`<top xmlns="${EX}"><users><user><name>fred</name><type>superuser</type></user><user nc:operation="delete"><name>barney</name></user></users></top>`), { schema });
  assert.deepEqual(r.errors, []);
  assert.equal(show(USERS), before, 'input unchanged');
  const [top, was] = [r.data[0], USERS[0]];
  assert.notEqual(top, was);
  assert.equal(top.children.find((c) => c.name === 'interface'), was.children.find((c) => c.name === 'interface'), 'an untouched subtree is shared');
  const users = top.children.find((c) => c.name === 'users')!;
  assert.equal(users.children.find((u) => u.children[0].text === 'root'), was.children.find((c) => c.name === 'users')!.children[0], 'an untouched list entry is shared');
  assert.deepEqual(users.children.map((u) => u.children.find((c) => c.name === 'type')?.text), ['superuser', 'superuser']);
  // A second edit of the result leaves the first result as it was.
  const mid = show(r.data);
  editConfig(r.data, doc(`<top xmlns="${EX}"><users><user><name>root</name><type>guest</type></user></users><interface nc:operation="delete"><name>eth0</name></interface></top>`), { schema });
  assert.equal(show(r.data), mid);
  assert.equal(show(USERS), before);
});

test('properties: in a long list (looked up through an index), one edit of many entries equals its entries edited one call at a time', () => {
  // 40 interfaces and leaf-list values: past the length from which entries are found through an index,
  // which each edit keeps in step with its own changes (appends, removals, replacements, copies).
  const base = doc(`<top xmlns="${EX}">${Array.from({ length: 40 }, (_, i) => `<interface><name>if${i}</name><mtu>${i}</mtu></interface>`).join('')}<users><user><name>fred</name>${Array.from({ length: 20 }, (_, i) => `<tags>t${i}</tags>`).join('')}</user></users></top>`);
  const op = fc.record({
    name: fc.integer({ min: 0, max: 45 }).map((i) => `if${i}`),
    op: fc.constantFrom('merge', 'replace', 'create', 'delete', 'remove'),
    mtu: fc.integer({ min: 1, max: 9000 }),
  });
  const tag = fc.record({ value: fc.integer({ min: 0, max: 24 }).map((i) => `t${i}`), op: fc.constantFrom('merge', 'create', 'delete', 'remove') });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 30 }), fc.array(tag, { maxLength: 10 }), (ops, tags) => {
      const ifNode = (o: (typeof ops)[number]) => `<interface nc:operation="${o.op}"><name>${o.name}</name>${o.op === 'delete' || o.op === 'remove' ? '' : `<mtu>${o.mtu}</mtu>`}</interface>`;
      const tagNode = (t: (typeof tags)[number]) => `<users><user><name>fred</name><tags nc:operation="${t.op}">${t.value}</tags></user></users>`;
      const all = doc(`<top xmlns="${EX}">${ops.map(ifNode).join('')}${tags.map(tagNode).join('')}</top>`);
      const together = editConfig(base, all, { schema, errorOption: 'continue-on-error' });
      let data = base;
      let errors = 0;
      for (const node of [...ops.map(ifNode), ...tags.map(tagNode)]) {
        const r = editConfig(data, doc(`<top xmlns="${EX}">${node}</top>`), { schema });
        errors += r.errors.length;
        if (r.errors.length === 0) data = r.data;
      }
      assert.equal(together.errors.length, errors);
      assert.equal(show(together.data), show(data));
    }),
    { numRuns: 300 },
  );
});
