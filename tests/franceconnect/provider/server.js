// Fournisseur OpenID Connect de test, configuré comme FranceConnect v2 ou comme ProConnect, pour les tests de
// l'application franceconnect. Il repose sur oidc-provider (certifié OpenID) : découverte, JWKS, autorisation, jeton,
// userinfo (JWT signé) et déconnexion sont les vrais. Seules les pages d'identification et de consentement
// (formulaires HTML) et le compte de test statique sont écrits ici.
//
// Variables d'environnement (posées par la fixture pytest) :
//   PORT                  port d'écoute sur 127.0.0.1
//   FC_TEST_CLIENT_ID     identifiant du client (le service)
//   FC_TEST_CLIENT_SECRET secret du client
//   FC_TEST_SIGNING_JWK   clé privée EC P-256 (JWK JSON, avec "kid") qui signe jetons d'identité et userinfo
//   FC_TEST_SITE_URLS     adresses du service, séparées par des virgules (URI de redirection déclarées)
//   OIDC_TEST_PROFILE     "franceconnect" (par défaut) ou "proconnect" : portées, claims, URI de retour
//   OIDC_TEST_ACCOUNTS    (ProConnect) comptes de test, JSON : [{login, password, sub, claims}, ...]
//
// Le serveur de test de Django écoute sur un port tiré au hasard : pour une adresse locale (127.0.0.1,
// localhost), le port n'est pas comparé, comme pour les clients natifs (RFC 8252, section 7.3).

import http from 'node:http';
import { Provider } from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const signingKey = JSON.parse(process.env.FC_TEST_SIGNING_JWK);
const siteUrls = (process.env.FC_TEST_SITE_URLS || 'http://testserver').split(',').map((url) => url.replace(/\/$/, ''));

// Le compte de test statique de FranceConnect (identité pivot d'une jeune personne).
const FC_ACCOUNT = {
  login: 'camille',
  password: 'motdepasse-de-test',
  sub: 'b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1',
  claims: {
    given_name: 'Camille Marie',
    family_name: 'MARTIN',
    birthdate: '2007-05-14',
    email: 'camille.martin@example.org',
  },
};

// Ce qui distingue les deux fournisseurs : ProConnect n'a ni date de naissance ni niveau eIDAS exigé, mais
// le nom d'usage et le SIRET de l'organisation de la personne.
const PROFILES = {
  franceconnect: {
    name: 'FranceConnect',
    path: 'franceconnect',
    scopes: ['openid', 'given_name', 'family_name', 'birthdate', 'email'],
    accounts: [FC_ACCOUNT],
  },
  proconnect: {
    name: 'ProConnect',
    path: 'proconnect',
    scopes: ['openid', 'email', 'given_name', 'usual_name', 'siret'],
    accounts: JSON.parse(process.env.OIDC_TEST_ACCOUNTS || '[]'),
  },
};
const profile = PROFILES[process.env.OIDC_TEST_PROFILE || 'franceconnect'];
const accountBySub = new Map(profile.accounts.map((account) => [account.sub, account]));

const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} — ${profile.name} (test)</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body>
</html>`;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function sameRedirect(value, allowed) {
  if (allowed.includes(value)) return true;
  let url;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || !LOCAL_HOSTS.has(url.hostname)) return false;
  return allowed.some((candidate) => {
    const other = new URL(candidate);
    return LOCAL_HOSTS.has(other.hostname) && other.pathname === url.pathname && other.search === url.search;
  });
}

const configuration = {
  clients: [
    {
      client_id: process.env.FC_TEST_CLIENT_ID,
      client_secret: process.env.FC_TEST_CLIENT_SECRET,
      redirect_uris: siteUrls.map((url) => `${url}/${profile.path}/callback`),
      post_logout_redirect_uris: siteUrls.map((url) => `${url}/${profile.path}/deconnexion/retour`),
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'ES256',
      userinfo_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys: [signingKey] },
  scopes: profile.scopes,
  claims: Object.fromEntries(profile.scopes.map((scope) => [scope, [scope === 'openid' ? 'sub' : scope]])),
  acrValues: ['eidas1'],
  responseTypes: ['code'],
  enabledJWA: {
    idTokenSigningAlgValues: ['ES256', 'RS256'],
    userinfoSigningAlgValues: ['ES256', 'RS256'],
  },
  routes: {
    authorization: '/authorize',
    token: '/token',
    userinfo: '/userinfo',
    jwks: '/jwks',
    end_session: '/session/end',
  },
  // Comme FranceConnect v2 : pas de PKCE pour les clients confidentiels.
  pkce: { methods: ['S256'], required: () => false },
  cookies: { keys: ['cle-de-test-des-cookies-du-fournisseur'] },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page(
          `Se déconnecter de ${profile.name} ?`,
          `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Oui, me déconnecter</button>
<button type="submit" form="op.logoutForm">Non, rester connecté·e</button>`,
        );
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Déconnexion réussie', `<p>Vous êtes déconnecté·e de ${profile.name}.</p>`);
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = accountBySub.get(id);
    if (account === undefined) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Erreur', `<p>${escape(out.error)} : ${escape(out.error_description || '')}</p>`);
  },
};

const provider = new Provider(issuer, configuration);
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
  return sameRedirect(value, this.redirectUris);
};
provider.Client.prototype.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(value) {
  return sameRedirect(value, this.postLogoutRedirectUris || []);
};

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

function send(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
}

function loginPage(uid, error = '') {
  return page(
    'Identifiez-vous',
    `${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
  <p><label for="login">Identifiant</label> <input id="login" name="login" autocomplete="username" required></p>
  <p><label for="password">Mot de passe</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <button type="submit">Se connecter</button>
</form>
<p><a href="/interaction/${uid}/abort">Annuler et revenir au service</a></p>`,
  );
}

function consentPage(uid, claims) {
  const items = claims.map((claim) => `<li>${escape(claim)}</li>`).join('');
  return page(
    'Transmettre vos informations',
    `<p>Le service demande :</p><ul>${items}</ul>
<form method="post" action="/interaction/${uid}/confirm"><button type="submit">Continuer sur le service</button></form>
<p><a href="/interaction/${uid}/abort">Annuler et revenir au service</a></p>`,
  );
}

async function interaction(req, res) {
  const [, , uid, action = ''] = new URL(req.url, issuer).pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Erreur', '<p>Interaction inconnue.</p>'));
  const { prompt, params, session } = details;
  if (action === 'abort') {
    return provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: "L'usager a annulé la connexion." },
      { mergeWithLastSubmission: false },
    );
  }
  if (prompt.name === 'login') {
    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      const account = profile.accounts.find((candidate) => candidate.login === form.get('login'));
      if (account === undefined || form.get('password') !== account.password) {
        return send(res, 200, loginPage(uid, 'Identifiant ou mot de passe incorrect.'));
      }
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: account.sub, acr: 'eidas1', amr: ['pwd'] } },
        { mergeWithLastSubmission: false },
      );
    }
    return send(res, 200, loginPage(uid));
  }
  if (prompt.name === 'consent') {
    if (req.method === 'POST' && action === 'confirm') {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    const scopes = String(params.scope || '').split(' ').filter((scope) => scope !== 'openid');
    return send(res, 200, consentPage(uid, scopes));
  }
  return send(res, 501, page('Erreur', '<p>Étape non prise en charge.</p>'));
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      send(res, 400, page('Erreur', `<p>${escape(error.message)}</p>`));
    });
    return;
  }
  callback(req, res);
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`Fournisseur OpenID Connect de test sur ${issuer}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
