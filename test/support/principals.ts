import type { Principal } from '../../src/services/ordering/principal.js';

/** An operator as tests act: audited like any other caller. */
export const TEST_OPERATOR: Principal = { tenantId: 'operator', role: 'operator', keyId: 'key_test-operator', via: 'api', requestId: 'req_test' };
