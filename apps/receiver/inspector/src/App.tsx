import { createApiClient, InspectorShell } from '@webhook-contracts/inspector-kit';
import { CountersView } from './CountersView.tsx';
import { EventDetail } from './EventDetail.tsx';
import { EventsView } from './EventsView.tsx';
import { ForwardingView } from './ForwardingView.tsx';
import { MembershipsView } from './MembershipsView.tsx';
import { ProgressView } from './ProgressView.tsx';
import { ViewBoundary } from './ViewBoundary.tsx';

// The receiver serves the page at <base>/inspect/, so the API (the read API and /metrics) lives one
// level up. The answers' shapes are the schema package's (EventPage, EventRecord, ProgressPage, …).
const client = createApiClient({
  base: new URL('../', window.location.href),
  server: 'receiver',
  tokenSetting: 'RECEIVER_API_TOKEN',
  tokenCheckPath: 'events?limit=1',
});

/** The event id of a `#/events/<id>` hash, or null (also for a malformed escape in it). */
function eventIdOf(hash: string): string | null {
  const match = /^#\/events\/(.+)$/.exec(hash);
  if (match === null) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return match[1]!;
  }
}

const tabs = [
  ['#/events', 'Events'],
  ['#/progress', 'Progress'],
  ['#/memberships', 'Memberships'],
  ['#/forwarding', 'Forwarding'],
  ['#/counters', 'Counters'],
] as const;

export function App() {
  return (
    <InspectorShell
      title="Receiver inspector"
      client={client}
      tabs={tabs}
      tabOf={(hash) => (eventIdOf(hash) === null ? undefined : '#/events')}
    >
      {({ tab, hash }) => {
        const id = eventIdOf(hash);
        return id !== null ? (
          // Keyed by the event: nothing of one event's view (state, a failure) outlives it.
          <ViewBoundary key={`event ${id}`} view="event view" subject={id}>
            <EventDetail key={id} id={id} />
          </ViewBoundary>
        ) : tab === '#/progress' ? (
          <ViewBoundary key="progress" view="progress view">
            <ProgressView />
          </ViewBoundary>
        ) : tab === '#/memberships' ? (
          <ViewBoundary key="memberships" view="memberships view">
            <MembershipsView />
          </ViewBoundary>
        ) : tab === '#/forwarding' ? (
          <ViewBoundary key="forwarding" view="forwarding view">
            <ForwardingView />
          </ViewBoundary>
        ) : tab === '#/counters' ? (
          <ViewBoundary key="counters" view="counters view">
            <CountersView />
          </ViewBoundary>
        ) : (
          <ViewBoundary key="events" view="events view">
            <EventsView />
          </ViewBoundary>
        );
      }}
    </InspectorShell>
  );
}
