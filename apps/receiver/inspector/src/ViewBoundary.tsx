import { Clipped } from '@webhook-contracts/inspector-kit';
import { Component, type ComponentChildren } from 'preact';

interface Props {
  /** What failed, in the panel's words: "event view", "payload view". */
  view: string;
  /** What it was showing (an event id), named in the panel. */
  subject?: string;
  children: ComponentChildren;
}

interface State {
  failure: string | null;
}

/**
 * Catches a view that throws while drawing and shows what failed instead, for that subject only:
 * give it a `key` per subject, so one event's failure never outlives it and another event's data
 * never shows under its name.
 */
export class ViewBoundary extends Component<Props, State> {
  override state: State = { failure: null };

  static override getDerivedStateFromError(error: unknown): State {
    return { failure: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }

  override componentDidCatch(error: unknown): void {
    // The panel says what failed; the stack is for whoever opens the console.
    console.warn(`The ${this.props.view} failed`, error);
  }

  override render() {
    const { failure } = this.state;
    if (failure === null) return this.props.children;
    const { view, subject } = this.props;
    return (
      <div class="error" role="alert" data-testid="view-error">
        The {view} failed
        {subject !== undefined && (
          <>
            {' for '}
            <Clipped text={subject} class="mono" />
          </>
        )}
        {': '}
        <Clipped text={failure} limit={300} />{' '}
        <button type="button" class="expand" onClick={() => this.setState({ failure: null })}>
          Try again
        </button>
      </div>
    );
  }
}
