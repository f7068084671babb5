// Prints a dev token signed by the dev issuer's key under DATA_DIR (the running service trusts
// it outside production). Usage:
//   npm run --silent token -- --sub <id> --role <requester|leader|operator|admin|integration>
//     [--role …] [--team <key>]… [--name <n>] [--employee-number <n>] [--scope <s>]… [--ttl <seconds>]
//     [--email <address>] [--locale <nb|en|…>]   (where and in which language notification mails go)
import { parseArgs } from 'node:util';
import { loadDevIssuer } from '../src/auth/dev-issuer';
import { ConfigError, loadConfig } from '../src/config';
import { ROLES, SCOPES } from '../src/domain/roles';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      role: { type: 'string', multiple: true },
      team: { type: 'string', multiple: true },
      name: { type: 'string' },
      'employee-number': { type: 'string' },
      scope: { type: 'string', multiple: true },
      ttl: { type: 'string' },
      email: { type: 'string' },
      locale: { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig();
  if (config.NODE_ENV === 'production') throw new Error('the dev issuer does not run in production');
  if (config.OIDC_ISSUER) throw new Error('OIDC_ISSUER is set: the service verifies tokens from that issuer, not dev tokens');
  if (!values.sub) throw new Error('--sub is required');
  const roles = values.role ?? ['requester'];
  for (const r of roles) if (!(ROLES as readonly string[]).includes(r)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  for (const s of values.scope ?? []) if (!(SCOPES as readonly string[]).includes(s)) throw new Error(`--scope must be one of ${SCOPES.join(', ')}`);
  const issuer = await loadDevIssuer(config.DATA_DIR);
  const token = await issuer.sign(
    {
      sub: values.sub,
      roles,
      teams: values.team ?? [],
      ...(values.name ? { name: values.name } : {}),
      ...(values['employee-number'] ? { employee_number: values['employee-number'] } : {}),
      ...(values.scope ? { scope: values.scope.join(' ') } : {}),
      ...(values.email ? { email: values.email } : {}),
      ...(values.locale ? { locale: values.locale } : {}),
    },
    values.ttl ? Number(values.ttl) : undefined,
  );
  process.stdout.write(`${token}\n`);
}

main().catch((err: unknown) => {
  const msg = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`token: ${msg}\n`);
  process.exit(1);
});
