import { Clipped } from '@webhook-contracts/inspector-kit';

/** A view's failed request, as the receiver worded it (clipped: the message may quote a sender). */
export function ErrorAlert({ error }: { error: string | null }) {
  if (error === null) return null;
  return (
    <p class="error" role="alert">
      <Clipped text={error} limit={300} />
    </p>
  );
}
