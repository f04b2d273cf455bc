// What a bearer token must be, alone: a program checks its token setting at start-up (and prints
// its --help) with this, without loading the rest of the kit. `@webhook-contracts/http-kit/bearerToken`.
/**
 * What an API token must be: 16 to 512 visible ASCII characters (0x21–0x7E). Shorter is
 * guessable; a space could never arrive in one bearer credential, so such a token would lock
 * everyone out.
 */
export const bearerTokenPattern = /^[\x21-\x7e]{16,512}$/;

/** The rule in words, for a start-up refusal (it never quotes the token). */
export const bearerTokenRule =
  'must be 16-512 visible ASCII characters without spaces (e.g. `openssl rand -hex 32`)';
