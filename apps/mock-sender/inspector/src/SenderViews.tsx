import { useApi } from '@webhook-contracts/inspector-kit';
import { useEffect, useState } from 'preact/hooks';
import { CheckView } from './CheckView.tsx';
import { DeliveriesView } from './DeliveriesView.tsx';
import { SendView } from './SendView.tsx';
import type { TargetValue } from './TargetFields.tsx';

/** The signed-in views; the target typed in Send is kept for Check (and back) while the session lasts. */
export function SenderViews({ tab }: { tab: string }) {
  const api = useApi();
  const [target, setTarget] = useState<TargetValue>({ to: '', secret: '' });
  const [allowed, setAllowed] = useState<string[] | null>(null);

  // The allowed targets, once per session; the first one is the default target.
  useEffect(() => {
    api<{ allowed_targets: string[] | null }>('targets')
      .then(({ allowed_targets }) => {
        setAllowed(allowed_targets);
        const first = allowed_targets?.[0];
        if (first !== undefined) setTarget((t) => (t.to === '' ? { ...t, to: first } : t));
      })
      .catch(() => setAllowed(null));
  }, [api]);

  const targetProps = { target, allowed, onTarget: setTarget };
  return tab === '#/deliveries' ? (
    <DeliveriesView />
  ) : tab === '#/check' ? (
    <CheckView {...targetProps} />
  ) : (
    <SendView {...targetProps} />
  );
}
