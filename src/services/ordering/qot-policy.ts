/**
 * The operator's QoT policy: the margin every new wave keeps above its mode's threshold, and the
 * largest dark-fiber loss offered without amplification. Read by anyone with a key, replaced whole by
 * operators. A change bumps the inventory version (it changes what fits, like an inventory change), so
 * no order planned under the old policy commits after it.
 */
import { LightpathError, validationFailed } from '../../domain/errors.js';
import { qotPolicyFrom, qotPolicyIssues, type QotPolicy } from '../../domain/optical.js';
import type { Db, Queryable } from '../../store/db.js';
import { bumpInventoryVersion, getMeta, setMeta } from '../../store/inventory.js';
import { audit } from '../audit.js';
import type { Principal } from './principal.js';

/** The stored policy (the defaults before one is stored). */
export async function loadQotPolicy(q: Queryable): Promise<QotPolicy> {
  return qotPolicyFrom(await getMeta<unknown>(q, 'qotPolicy'));
}

/** QoT policy use cases. */
export class QotPolicyService {
  constructor(private readonly db: Db) {}

  /** The current policy. */
  get(): Promise<QotPolicy> {
    return loadQotPolicy(this.db);
  }

  /** Replaces the policy (operators only). */
  async put(p: Principal, input: unknown): Promise<QotPolicy> {
    if (p.role !== 'operator') throw new LightpathError('forbidden', 'only operators can change the QoT policy');
    const issues = qotPolicyIssues(input);
    if (issues.length > 0) throw validationFailed('invalid QoT policy', issues);
    const policy = qotPolicyFrom(input);
    await this.db.transaction(async (tx) => {
      await bumpInventoryVersion(tx);
      const before = await loadQotPolicy(tx);
      await setMeta(tx, 'qotPolicy', policy);
      await audit(tx, p, { action: 'qot-policy.replace', subject: { kind: 'qot-policy', id: 'current' }, before, after: policy });
    });
    return policy;
  }
}
