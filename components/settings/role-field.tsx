'use client';

import { Select } from '~/components/ui';
import { canGrant, ROLES, ROLE_LABELS, type Role } from '~/server/auth/roles';

/**
 * The "Role" field of a form that grants a role (a key, an invite, an SSO mapping): it offers
 * only the roles `myRole` may grant, so the form never offers what the server would refuse.
 */
export function GrantableRoleField({
  id,
  myRole,
  value,
  onChange,
  roles = ROLES,
}: {
  id: string;
  myRole: Role;
  value: Role;
  onChange: (role: Role) => void;
  roles?: readonly Role[];
}) {
  return (
    <div className="field">
      <label htmlFor={id}>Role</label>
      <Select width="sm" id={id} value={value} onChange={(e) => onChange(e.target.value as Role)}>
        {roles
          .filter((r) => canGrant(myRole, r))
          .map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
      </Select>
    </div>
  );
}
