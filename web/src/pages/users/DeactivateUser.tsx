import { useDeactivateUser } from '../../api/users';
import type { User } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';

/** DeactivateUser confirms, then deactivates an account (its sessions end at once). */
export function DeactivateUser({ user, onClose }: { user: User; onClose: () => void }) {
  const deactivate = useDeactivateUser();
  return (
    <ConfirmDialog
      title={`Deactivate ${user.email}?`}
      confirmLabel="Deactivate"
      onCancel={onClose}
      onConfirm={() => deactivate.mutate(user.id, { onSuccess: onClose })}
      pending={deactivate.isPending}
      error={deactivate.error}
    >
      <p>They are signed out everywhere and can no longer sign in. Their history stays; you can reactivate them later.</p>
    </ConfirmDialog>
  );
}
