/**
 * Every capability a route can require. Roles are bundles of these; API keys carry a subset as
 * scopes. Adding a capability here makes it grantable; a route names exactly one.
 */
export const PERMISSIONS = [
  'catalog:write',
  'inventory:write',
  'orders:manage',
  'payments:manage',
  'promotions:manage',
  'reports:read',
  'users:manage',
  'api-keys:manage',
  'audit:read',
  'queues:manage',
  // Outgoing webhooks: endpoints, their secrets, deliveries and replays. Admins only.
  'webhooks:manage',
  // Store settings that price every cart: shipping zones and methods, tax rates. Admins only.
  'settings:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['customer', 'staff', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What each role may do. Customers act only on their own resources, which needs no permission. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  customer: [],
  staff: [
    'catalog:write',
    'inventory:write',
    'orders:manage',
    'payments:manage',
    'promotions:manage',
    'reports:read',
    'queues:manage',
  ],
  admin: PERMISSIONS,
};

/** Ranks roles so nobody can hand out (or take) a role above their own. */
export const ROLE_RANK: Record<Role, number> = { customer: 0, staff: 1, admin: 2 };

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}
