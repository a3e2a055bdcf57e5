// A real OpenID Connect provider (npm `oidc-provider`) for the SSO tests, on a free loopback
// port: one confidential client for the Portico under test (PKCE S256 required, RS256 ID
// tokens), test accounts with verified e-mail addresses, and a minimal login page of its own
// (the library's dev pages load web fonts, and the tests need no network beyond loopback).
//
// Two test switches re-sign the next ID token with the provider's own key, so only Portico's
// claim checks can catch them: `expired` (exp ten minutes ago) and `foreignAudience` (issued
// for another client). Run alone (`node oidc-provider.mjs REDIRECT_URI`) it prints its issuer.

import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'portico-e2e';
export const CLIENT_SECRET = 'portico-e2e-secret-0123456789abcdef';

/** Accounts the provider knows; any other login is refused. */
export const ACCOUNTS = {
  'lin@sunrise.test': { name: 'Lin Sunrise', email_verified: true },
  'new.hire@sunrise.test': { name: 'New Hire', email_verified: true },
  'sales@sunrise.test': { name: 'Sunny Sales', email_verified: true },
};

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${escapeHtml(title)}</title></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

async function readForm(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return new URLSearchParams(raw);
}

/**
 * Starts the provider. `redirectUri` is Portico's callback, `postLogoutRedirectUri` where the
 * provider's logout may send the user back.
 */
export async function startProvider({ redirectUri, postLogoutRedirectUri }) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `e2e-${crypto.randomBytes(4).toString('hex')}`;
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };

  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  let nextTokenChange = null;

  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutRedirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'RS256',
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [jwk] },
    pkce: { required: () => true, methods: ['S256'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The e-mail claims go into the ID token itself, where Portico reads them.
    conformIdTokenClaims: false,
    cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = page('Sign out of the test provider?', `${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
        },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Provider error', `<pre>${escapeHtml(JSON.stringify(out))}</pre>`);
    },
    async findAccount(ctx, id) {
      const account = ACCOUNTS[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: id, email_verified: account.email_verified, name: account.name };
        },
      };
    },
    // The test client is first-party: no consent page.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });

  // Test switches: re-sign the next ID token the token endpoint hands out.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || !nextTokenChange || !ctx.body?.id_token) return;
    const change = nextTokenChange;
    nextTokenChange = null;
    const [, payload] = ctx.body.id_token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    change(claims);
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
    const body = b64url(JSON.stringify(claims));
    const signature = crypto.sign('sha256', Buffer.from(`${header}.${body}`), privateKey);
    ctx.body = { ...ctx.body, id_token: `${header}.${body}.${b64url(signature)}` };
  });

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    if (req.url === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    const match = /^\/interaction\/([^/?]+)(\/login)?/.exec(req.url);
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') {
        const hint = escapeHtml(details.params.login_hint ?? '');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page('Test provider sign-in', `
<form method="post" action="/interaction/${escapeHtml(details.uid)}/login">
  <label>E-mail <input name="login" type="email" value="${hint}" required></label>
  <label>Password <input name="password" type="password"></label>
  <button type="submit">Sign in at provider</button>
</form>`));
        return;
      }
      const form = await readForm(req);
      const login = form.get('login') ?? '';
      if (!ACCOUNTS[login]) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page('Unknown account', '<p>No such test account.</p>'));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`interaction failed: ${err.message}`);
    }
  });

  return {
    issuer,
    /** The next ID token expired ten minutes ago (signed properly). */
    expireNextIdToken() {
      nextTokenChange = (claims) => {
        const now = Math.floor(Date.now() / 1000);
        claims.iat = now - 1200;
        claims.exp = now - 600;
      };
    },
    /** The next ID token is issued for another client (signed properly). */
    foreignAudienceForNextIdToken() {
      nextTokenChange = (claims) => {
        claims.aud = 'another-application';
        delete claims.azp;
      };
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const redirectUri = process.argv[2] ?? 'http://127.0.0.1:8080/login/sso/callback';
  const provider = await startProvider({
    redirectUri,
    postLogoutRedirectUri: new URL('/login', redirectUri).toString(),
  });
  console.log(provider.issuer);
}
