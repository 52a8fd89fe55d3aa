/** Who is calling: set by the API's auth hook from the Bearer key, passed to every ordering use case. */
export interface Principal {
  tenantId: string;
  role: 'operator' | 'customer';
  keyId: string;
}

/** The tenant filter for reads: operators see every tenant (undefined), customers only their own. */
export function tenantScope(p: Principal): string | undefined {
  return p.role === 'operator' ? undefined : p.tenantId;
}
