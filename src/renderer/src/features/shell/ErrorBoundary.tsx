// Keeps a screen that throws while drawing from blanking the app: the error shows in its place.
import { Component, type ReactNode } from 'react';
import { UI_STRINGS } from '../../../../shared/messages';
import { errorMessage } from '../../app/errors';

interface Props {
  children: ReactNode;
  /** Changing it clears a caught error, such as when the user opens another screen. */
  resetKey: string;
}

interface State {
  error: unknown;
  resetKey: string;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: undefined, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error ?? new Error(UI_STRINGS.unknownError) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey === state.resetKey ? null : { error: undefined, resetKey: props.resetKey };
  }

  override render() {
    if (this.state.error === undefined) {
      return this.props.children;
    }
    return (
      <div className="screen-failed" role="alert" data-testid="screen-failed">
        <p>{UI_STRINGS.screenFailed}</p>
        <p>{errorMessage(this.state.error)}</p>
        <button type="button" onClick={() => window.location.reload()}>
          {UI_STRINGS.reload}
        </button>
      </div>
    );
  }
}
