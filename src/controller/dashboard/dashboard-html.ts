/**
 * The dashboard's HTML shell. The page carries no data: the script (browser/dashboard.ts) asks for a
 * viewer token, keeps it in sessionStorage, and reads /api/v1/ with it.
 */
import { DASHBOARD_CSS_PATH, DASHBOARD_JS_PATH } from './dashboard-paths.js';

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Identity Mesh</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${DASHBOARD_CSS_PATH}">
<script src="${DASHBOARD_JS_PATH}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="bar">
  <p class="brand"><a href="#/">Identity Mesh</a></p>
  <p class="meta" id="meta"></p>
  <p class="updated" id="updated"></p>
  <button type="button" id="signout" hidden>Sign out</button>
</header>
<div id="notice" role="status" aria-live="polite"></div>
<main id="main" tabindex="-1">
  <section id="login" class="card login" hidden aria-labelledby="login-title">
    <h1 id="login-title">Identity Mesh dashboard</h1>
    <p>This page reads the controller's state through its API. Enter a viewer token from the Mesh's <code>spec.api.tokens</code> (an operator token also lets you sync a connector now).</p>
    <form id="login-form" novalidate>
      <label for="token">Viewer token</label>
      <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required aria-describedby="login-error">
      <button type="submit">Open dashboard</button>
      <p id="login-error" class="error" aria-live="assertive"></p>
    </form>
  </section>
  <div id="app" hidden>
    <form id="search" class="search" role="search" aria-label="Explain a mesh object">
      <label for="search-type">Explain object</label>
      <select id="search-type" name="type"></select>
      <label for="search-key" class="visually-hidden">Key (id or join attribute value)</label>
      <input id="search-key" name="key" type="search" placeholder="id or key, e.g. E1001" spellcheck="false" required>
      <button type="submit">Explain</button>
    </form>
    <div id="view"></div>
  </div>
</main>
<noscript><p class="card">The dashboard needs JavaScript; the same data is at <code>/api/v1/</code> (see <code>/api/v1/openapi.json</code>).</p></noscript>
</body>
</html>
`;
