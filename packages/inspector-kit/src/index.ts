// The inspector pages' shared pieces. Source only: each page's Vite build bundles what it imports.
export { Clipped } from './Clipped.tsx';
export {
  clip,
  codePointName,
  countCharacters,
  formatCount,
  plainVisible,
  splitInvisible,
} from './visibleText.ts';
