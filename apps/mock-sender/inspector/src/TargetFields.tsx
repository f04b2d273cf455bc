export interface TargetValue {
  to: string;
  /** The request's own secret; '' uses the service's (allowed targets only). Never stored. */
  secret: string;
}

/** The target URL (suggesting the allowed ones) and an optional signing secret. */
export function TargetFields({
  value,
  allowed,
  onChange,
}: {
  value: TargetValue;
  /** From GET /targets: null when any target is allowed. */
  allowed: string[] | null;
  onChange(v: TargetValue): void;
}) {
  return (
    <>
      <label class="wide">
        Target
        <input
          type="url"
          aria-label="Target"
          list="allowed-targets"
          placeholder="http://127.0.0.1:3000/webhooks"
          value={value.to}
          onInput={(e) => onChange({ ...value, to: e.currentTarget.value.trim() })}
        />
        <datalist id="allowed-targets">
          {(allowed ?? []).map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <span class="muted small">
          {allowed === null
            ? 'Any target is allowed, signed with the secret below.'
            : `Allowed: ${allowed.join(', ')}. Leave the secret empty to sign with the service's own.`}
        </span>
      </label>
      <label class="wide">
        Signing secret (optional for allowed targets; never stored)
        <input
          type="password"
          aria-label="Signing secret"
          autocomplete="off"
          placeholder="whsec_…"
          value={value.secret}
          onInput={(e) => onChange({ ...value, secret: e.currentTarget.value.trim() })}
        />
      </label>
    </>
  );
}

/** What the Send and Check views share: the target chosen once for both. */
export interface TargetProps {
  target: TargetValue;
  allowed: string[] | null;
  onTarget(t: TargetValue): void;
}
