/** Roles of Parley's users and what each may do: one table, checked on every route. */
export const roles = ['admin', 'supervisor', 'agent', 'moderator', 'approver', 'analyst'] as const;
export type Role = (typeof roles)[number];

export const permissions = {
  'conversations:read': ['admin', 'supervisor', 'agent', 'analyst', 'moderator'],
  'conversations:write': ['admin', 'supervisor', 'agent'],
  'conversations:assign': ['admin', 'supervisor', 'agent'],
  'conversations:merge': ['admin', 'supervisor', 'agent'],
  'messages:ingest': ['admin'],
  'messages:export': ['admin', 'analyst'],
  'customers:read': ['admin', 'supervisor', 'agent', 'analyst'],
  'customers:write': ['admin', 'supervisor', 'agent'],
  'users:read': ['admin', 'supervisor', 'agent', 'analyst', 'moderator', 'approver'],
  'users:manage': ['admin'],
  'teams:read': ['admin', 'supervisor', 'agent', 'analyst', 'moderator', 'approver'],
  'teams:manage': ['admin'],
  'channels:read': ['admin', 'supervisor'],
  'channels:manage': ['admin'],
  'queue:read': ['admin', 'supervisor'],
  'audit:read': ['admin'],
  'incidents:read': ['admin', 'supervisor', 'agent', 'analyst'],
  'incidents:manage': ['admin', 'supervisor'],
  'customers:erase': ['admin'],
  'customers:import': ['admin', 'supervisor'],
  'settings:read': ['admin', 'supervisor', 'analyst'],
  'settings:manage': ['admin'],
  'reports:read': ['admin', 'supervisor', 'analyst'],
  'macros:use': ['admin', 'supervisor', 'agent'],
  'macros:manage': ['admin', 'supervisor'],
  'self': ['admin', 'supervisor', 'agent', 'moderator', 'approver', 'analyst'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

export const can = (role: string, permission: Permission): boolean => (permissions[permission] as readonly string[]).includes(role);

/** Who is acting: passed explicitly into services instead of a request object. */
export interface Actor {
  userId: string;
  role: Role;
  requestId: string;
}

/** Internal actor for the pipeline, CLI and automation. */
export const systemActor = (requestId = 'system'): Actor => ({ userId: 'system', role: 'admin', requestId });
