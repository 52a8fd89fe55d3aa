/** Who is calling: set by the API's auth hook from the Bearer key, passed to every use case. */
export interface Principal {
  tenantId: string;
  role: 'operator' | 'customer';
  keyId: string;
  /** Where the call came from (audit); 'api' unless said otherwise. */
  via?: 'api' | 'cli' | 'system';
  /** The server-side id of the HTTP request (audit, order tracing). */
  requestId?: string;
}

/** The tenant filter for reads: operators see every tenant (undefined), customers only their own. */
export function tenantScope(p: Principal): string | undefined {
  return p.role === 'operator' ? undefined : p.tenantId;
}

/** Background work acting on its own (activation, restoration, expiry). */
export const SYSTEM_PRINCIPAL: Principal = { tenantId: 'operator', role: 'operator', keyId: 'system', via: 'system' };

/** A local user running a CLI command against the store directly: the operator, or a customer tenant. */
export function cliPrincipal(user: string, tenant?: string): Principal {
  return tenant ? { tenantId: tenant, role: 'customer', keyId: `cli:${user}`, via: 'cli' } : { tenantId: 'operator', role: 'operator', keyId: `cli:${user}`, via: 'cli' };
}
