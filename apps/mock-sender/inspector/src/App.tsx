import { createApiClient, InspectorShell } from '@webhook-contracts/inspector-kit';
import { SenderViews } from './SenderViews.tsx';

// The page is served at the service's root, so the API paths are relative to it. A refused request
// lists its details (`{ field, message }`) after the message.
const client = createApiClient({
  base: new URL('./', window.location.href),
  server: 'sender',
  tokenSetting: 'SENDER_API_TOKEN',
  tokenCheckPath: 'deliveries?limit=1',
  describeDetail: (detail) => {
    const { field, message } = (detail ?? {}) as { field?: string; message?: string };
    return `${field ?? ''}: ${message ?? ''}`;
  },
});

const tabs = [
  ['#/send', 'Send'],
  ['#/deliveries', 'Deliveries'],
  ['#/check', 'Check'],
] as const;

export function App() {
  return (
    <InspectorShell title="Mock sender" client={client} tabs={tabs}>
      {({ tab }) => <SenderViews tab={tab} />}
    </InspectorShell>
  );
}
