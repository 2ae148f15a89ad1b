/** The one rule for which variable names hold credentials (agent environments, redaction, health). */

/** Names that look like credentials. */
export const SECRET_NAME =
  /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|COOKIE|SESSION_?KEY)/i;

/** True for names whose values are credentials. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}
