// What the server's /login?error=<code> means, for people. The codes come from the social login
// callback (GET /api/auth/oauth/{provider}/callback).
export const SOCIAL_LOGIN_ERRORS: Record<string, string> = {
  invalid_state: 'The sign-in took too long or was started in another browser. Please try again.',
  provider_denied: 'The sign-in was cancelled at the provider.',
  no_account: 'No account uses this email; ask an administrator for an invitation.',
  email_unverified: 'The provider has not verified this email address. Verify it there, or sign in with a password.',
  account_disabled: 'This account is disabled; ask an administrator.',
  organization_disabled: 'Your organization is deactivated; ask an administrator.',
  exchange_failed: 'The provider did not confirm the sign-in. Please try again.',
  profile_failed: 'The provider did not share your profile. Please try again.',
  sign_in_failed: 'The sign-in failed. Please try again.',
  unavailable: 'Social sign-in is unavailable right now. Please try again later or use your password.',
};

/** socialLoginError names the problem behind ?error=; an unknown code still gets a message. */
export function socialLoginError(code: string | null): string | undefined {
  if (!code) return undefined;
  return SOCIAL_LOGIN_ERRORS[code] ?? 'The sign-in failed. Please try again.';
}

// Notes other pages leave for the login page with ?notice=.
export const LOGIN_NOTICES: Record<string, string> = {
  password_reset: 'Your password has been changed. Sign in with the new one.',
  email_verified: 'Your email is confirmed. You can sign in now.',
  signed_out_everywhere: 'You are signed out on every device.',
};
