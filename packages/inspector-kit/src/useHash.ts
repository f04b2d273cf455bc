import { useEffect, useState } from 'preact/hooks';

/** The page's location hash (`#/events/…`), re-rendering when it changes: the pages route on it. */
export function useHash(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}
