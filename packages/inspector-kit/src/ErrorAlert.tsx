import { Clipped } from './Clipped.tsx';

/** A view's failed request, as its server worded it (clipped: the message may quote a sender). */
export function ErrorAlert({ error }: { error: string | null }) {
  if (error === null) return null;
  return (
    <p class="error" role="alert">
      <Clipped text={error} limit={300} />
    </p>
  );
}
