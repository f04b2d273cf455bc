import { render } from 'preact';
import { App } from './App.tsx';
import '@webhook-contracts/inspector-kit/untrusted.css';
import '@webhook-contracts/inspector-kit/inspector.css';
import './style.css';

render(<App />, document.getElementById('app')!);
