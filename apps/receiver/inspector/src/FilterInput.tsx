import { useState } from 'preact/hooks';

interface FilterInputProps {
  label: string;
  placeholder: string;
  /** Called with the trimmed text when the user commits it (Enter or leaving the field). */
  onCommit: (value: string) => void;
}

/**
 * A labelled search field whose text belongs to the field until it is committed: a view that re-renders
 * while the user types (a live refresh answering) must not put the last committed value back.
 */
export function FilterInput({ label, placeholder, onCommit }: FilterInputProps) {
  const [draft, setDraft] = useState('');
  return (
    <label>
      {label}
      <input
        type="search"
        aria-label={label}
        placeholder={placeholder}
        value={draft}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onChange={(e) => onCommit(e.currentTarget.value.trim())}
      />
    </label>
  );
}
