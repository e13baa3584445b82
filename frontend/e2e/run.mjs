// Browser tests against the real API and PostgreSQL: `npm run e2e` (part of `npm test`).
// Needs the API binary (built by scripts/test; see harness.mjs) and /usr/bin/chromium
// (`apt-get install -y chromium`). Screenshots go to test-results/screenshots/.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { FRONTEND, log, restartApi, setup, smtpSink, teardown } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const SHOTS = join(FRONTEND, 'test-results/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DEMO_PASSWORD = 'Hangar demo: vol de nuit sur la Beauce';
const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 375, height: 740 } };

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

/** Waits until `read()` gives `want` (the page may still be settling), then checks it. */
async function eventually(read, want, msg, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  let got = await read();
  while (got !== want && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    got = await read();
  }
  assert(got === want, `${msg} (got ${JSON.stringify(got)})`);
}

/** Fails on serious or critical accessibility violations (axe-core). */
async function checkA11y(page, name) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  assert(violations.length === 0, `axe on ${name}:\n  ${violations.join('\n  ')}`);
}

async function screenshots(browser, url, name, prepare, login) {
  for (const [label, viewport] of Object.entries(WIDTHS)) {
    const ctx = await browser.newContext({ viewport, locale: 'fr-FR' });
    const page = await ctx.newPage();
    if (login) {
      await page.goto(`${new URL(url).origin}/login`);
      await page.getByLabel('Adresse e-mail').fill(login.email);
      await page.getByLabel('Mot de passe').fill(login.password);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.getByTestId('whoami').waitFor();
    }
    await page.goto(url);
    if (prepare) await prepare(page);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`), fullPage: true });
    await ctx.close();
  }
}

async function main() {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const env = await setup();
  const { apiUrl, spaUrl } = env;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  const results = [];
  /** The link (`/<path>?token=…`) of the newest mail to `email` that the API logged (development mode). */
  const mailLink = async (email, path) => {
    const re = new RegExp(`https?://\\S+/${path}\\?token=[A-Za-z0-9_-]+`);
    for (let i = 0; i < 150; i++) {
      const mails = env.apiLog.text.split('mail (development, not sent) to ').filter((m) => m.startsWith(`${email}\n`));
      const link = mails.map((m) => m.match(re)?.[0]).filter(Boolean).pop();
      if (link) return link;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`assertion failed: no ${path} mail to ${email} in the API log`);
  };
  /** A fresh account made straight through the API (not verified). */
  const registerByApi = async (name) => {
    const email = `${name}.${Date.now()}.${Math.random().toString(36).slice(2, 7)}@example.fr`;
    const password = 'Un tour de piste par vent de travers';
    const res = await fetch(`${apiUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password, display_name: `E2E ${name}`, account_type: 'private' }),
    });
    assert(res.status === 201 || res.status === 200, `register ${email}: ${res.status} ${await res.text()}`);
    return { email, password, name: `E2E ${name}` };
  };
  const loginAs = async (page, who) => {
    await page.goto(`${spaUrl}/login`);
    await page.getByLabel('Adresse e-mail').fill(who.email);
    await page.getByLabel('Mot de passe').fill(who.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByTestId('whoami').waitFor();
  };
  const test = async (name, fn) => {
    // E2E_ONLY=<part of a name> runs only the matching tests (while working on one).
    if (process.env.E2E_ONLY && !name.includes(process.env.E2E_ONLY)) return;
    const ctx = await browser.newContext({ viewport: WIDTHS.desktop, locale: 'fr-FR' });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const t0 = Date.now();
    try {
      await fn(page, ctx);
      assert(errors.length === 0, `uncaught errors in the page: ${errors.join('; ')}`);
      results.push([name, null]);
      log(`ok   ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      results.push([name, e]);
      log(`FAIL ${name}: ${e.stack ?? e}`);
      await page.screenshot({ path: join(SHOTS, `FAILED-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
    } finally {
      await ctx.close();
    }
  };

  // A demo aircraft to look for, read straight from the API.
  const pick = await (await fetch(`${apiUrl}/api/v1/listings?category=aircraft&has_photos=true&limit=50`)).json();
  const target = pick.items.find((i) => i.title.length > 10) ?? pick.items[0];
  assert(target, 'the demo data has aircraft with photos');
  const targetFull = await (await fetch(`${apiUrl}/api/v1/listings/${target.id}`)).json();

  await test('home shows categories with counts and the newest listings', async (page) => {
    await page.goto(spaUrl);
    await page.getByRole('heading', { level: 1, name: 'Trouvez votre prochain avion' }).waitFor();
    const tiles = page.getByTestId('category-grid').getByRole('link');
    await tiles.first().waitFor();
    assert((await tiles.count()) >= 5, 'at least five top-level categories');
    const counts = await page.locator('.category-count').allTextContents();
    assert(counts.some((c) => Number(c.replace(/\D/g, '')) > 0), `some category has listings: ${counts}`);
    await page.getByTestId('newest').locator('article').first().waitFor();
    assert((await page.getByTestId('newest').locator('article').count()) === 8, 'eight newest listings');
    await checkA11y(page, 'home');
  });

  await test('language: browser first, switchable, remembered', async (page, ctx) => {
    await page.goto(spaUrl);
    await page.getByRole('heading', { level: 1, name: 'Trouvez votre prochain avion' }).waitFor();
    assert((await page.getAttribute('html', 'lang')) === 'fr', 'html lang fr');
    await page.getByRole('button', { name: 'EN' }).click();
    await page.getByRole('heading', { level: 1, name: 'Find your next aircraft' }).waitFor();
    assert((await page.getAttribute('html', 'lang')) === 'en', 'html lang en');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Find your next aircraft' }).waitFor();
    // An English browser starts in English.
    const en = await browser.newContext({ locale: 'en-GB' });
    const p2 = await en.newPage();
    await p2.goto(spaUrl);
    await p2.getByRole('heading', { level: 1, name: 'Find your next aircraft' }).waitFor();
    await en.close();
    void ctx;
  });

  await test('full-text search from the home page finds a demo listing', async (page) => {
    await page.goto(spaUrl);
    await page.getByLabel('Rechercher une annonce').fill(target.title);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === target.title);
    await page.getByTestId('results').getByRole('link', { name: target.title }).first().waitFor();
    await checkA11y(page, 'search');
  });

  await test('filters, facets and sort live in the URL and change the results', async (page) => {
    await page.goto(`${spaUrl}/search?category=aircraft`);
    await page.getByTestId('results').locator('article').first().waitFor();
    const countText = async () => (await page.getByTestId('result-count').textContent()) ?? '';
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=result-count]')?.textContent ?? ''));
    const all = await countText();
    // A make facet: URL gains make=…, the count changes.
    const facet = page.locator('[data-facet=make] a').first();
    const make = (await facet.textContent()).replace(/\s*\(.*$/, '').trim();
    await facet.click();
    await page.waitForURL((u) => u.searchParams.get('make') === make && u.searchParams.get('category') === 'aircraft');
    await page.waitForFunction((prev) => {
      const t = document.querySelector('[data-testid=result-count]')?.textContent ?? '';
      return /\d/.test(t) && t !== prev;
    }, all);
    // The form: a minimum year.
    await page.getByLabel('Année min.').fill('1990');
    await page.getByRole('button', { name: 'Appliquer' }).click();
    await page.waitForURL((u) => u.searchParams.get('year_min') === '1990' && u.searchParams.get('make') === make);
    // Sort.
    await page.getByLabel('Trier par').selectOption('price_asc');
    await page.waitForURL((u) => u.searchParams.get('sort') === 'price_asc');
    // The URL alone restores the search (a reload, a shared link).
    await page.reload();
    // The form is refilled once the page has read the URL (and the category tree): wait for it.
    await eventually(() => page.getByLabel('Année min.').inputValue(), '1990', 'form refilled from the URL');
    await eventually(() => page.getByLabel('Trier par').inputValue(), 'price_asc', 'sort from the URL');
    // An invalid value comes back from the API as a problem shown next to the field.
    await page.goto(`${spaUrl}/search?sort=distance`);
    await page.locator('#sort-error').waitFor();
  });

  await test('cursor pagination', async (page) => {
    await page.goto(`${spaUrl}/search`);
    await page.getByTestId('results').locator('article').first().waitFor();
    const first = await page.getByTestId('results').locator('h3').first().textContent();
    await page.getByRole('link', { name: 'Annonces suivantes' }).click();
    await page.waitForURL((u) => !!u.searchParams.get('cursor'));
    await page.waitForFunction((f) => document.querySelector('[data-testid=results] h3')?.textContent !== f, first);
    await page.getByRole('link', { name: 'Première page' }).waitFor();
  });

  await test('listing page: photos, keyboard lightbox, specs, price, seller, airfield', async (page) => {
    await page.goto(`${spaUrl}/search?q=${encodeURIComponent(target.title)}`);
    await page.getByTestId('results').getByRole('link', { name: target.title }).first().click();
    await page.waitForURL(`**/listings/${target.id}`);
    await page.getByRole('heading', { level: 1, name: target.title }).waitFor();
    const img = page.getByTestId('gallery').locator('.gallery-main img');
    await img.waitFor();
    await page.waitForFunction(() => (document.querySelector('.gallery-main img')?.naturalWidth ?? 0) > 0);
    const specs = page.getByTestId('specs');
    await specs.getByRole('rowheader', { name: 'Marque' }).waitFor();
    const make = targetFull.attributes.make;
    assert((await specs.textContent()).includes(make), `specs show the make ${make}`);
    assert((await page.getByTestId('price').textContent()).trim().length > 0, 'a price');
    if (targetFull.location.airfield_icao) {
      await page.waitForFunction(
        (icao) => (document.querySelector('[data-testid=location]')?.textContent ?? '').includes(`(${icao})`),
        targetFull.location.airfield_icao,
      );
    }
    if (targetFull.location.airfield_icao || targetFull.location.lat != null) {
      // The distance from the visitor's airfield, remembered in this browser.
      const form = page.getByTestId('my-airfield');
      await form.getByLabel('Votre terrain (code OACI)').fill('ZZZZ');
      await form.getByRole('button', { name: 'Afficher la distance' }).click();
      await page.getByRole('alert').filter({ hasText: 'Terrain inconnu : ZZZZ' }).waitFor();
      await form.getByLabel('Votre terrain (code OACI)').fill('lfpn');
      await form.getByRole('button', { name: 'Afficher la distance' }).click();
      const distance = page.getByTestId('distance');
      await distance.waitFor();
      assert(/km de votre terrain \(LFPN\)/.test(await distance.textContent()), 'distance from LFPN');
      await page.reload();
      await page.getByTestId('distance').waitFor();
    }
    // Keyboard: open the lightbox, move, close; focus returns to the photo.
    await page.locator('.gallery-main').focus();
    await page.keyboard.press('Enter');
    await page.locator('dialog.lightbox[open]').waitFor();
    if (targetFull.photos.length > 1) {
      await page.keyboard.press('ArrowRight');
      await page.locator('dialog.lightbox').getByText(`Photo 2 sur ${targetFull.photos.length}`).waitFor();
    }
    await page.keyboard.press('Escape');
    await page.locator('dialog.lightbox[open]').waitFor({ state: 'detached' });
    assert(await page.locator('.gallery-main').evaluate((el) => el === document.activeElement), 'focus back on the photo');
    await checkA11y(page, 'listing');
  });

  let seller = null;
  await test('register, verify by email, log in, stay logged in across a reload, log out', async (page) => {
    const email = `pilote.${Date.now()}@example.fr`;
    const password = 'Un vol de nuit au-dessus de la Beauce';
    await page.goto(`${spaUrl}/register`);
    // A problem+json error lands next to its field.
    await page.getByLabel('Adresse e-mail').fill('not-an-email');
    await page.getByLabel('Mot de passe').fill('short');
    await page.getByLabel('Nom affiché').fill('Jeanne Pilote');
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await page.locator('#' + (await page.getByLabel('Adresse e-mail').getAttribute('id')) + '-error').waitFor();
    assert((await page.getByLabel('Adresse e-mail').getAttribute('aria-invalid')) === 'true', 'email marked invalid');
    await checkA11y(page, 'register with errors');
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await page.getByText(`Un e-mail de vérification a été envoyé à ${email}`).waitFor();

    // The API writes mail to its log in development mode; its link leads to the SPA.
    const link = await mailLink(email, 'verify-email');
    assert(link.startsWith(spaUrl), `the mail links to the SPA: ${link}`);
    await page.goto(link);
    await page.getByTestId('verified').waitFor();

    await page.goto(`${spaUrl}/login`);
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill('wrong password here');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByTestId('whoami').getByText('Jeanne Pilote').waitFor();
    // The access token is in memory only: after a reload, the refresh cookie brings the session back.
    await page.reload();
    await page.getByTestId('whoami').getByText('Jeanne Pilote').waitFor();
    seller = { email, password };
    // Account: a personal access token, shown once with a curl example, works against the API.
    await page.getByRole('link', { name: 'Mon compte' }).click();
    await page.getByRole('heading', { level: 1, name: 'Mon compte' }).waitFor();
    await page.getByLabel('Nom', { exact: true }).fill('price-watch script');
    await page.getByRole('checkbox', { name: 'account' }).check();
    await page.getByRole('button', { name: 'Créer le jeton' }).click();
    const token = (await page.getByTestId('new-token').locator('code.token').textContent()).trim();
    assert(token.startsWith('hgr_'), `a token: ${token}`);
    assert((await page.getByTestId('new-token').locator('pre').textContent()).includes(token), 'curl example with the token');
    const me = await fetch(`${apiUrl}/api/v1/users/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert(me.status === 200 && (await me.json()).email === email, `the token works: ${me.status}`);
    await page.getByRole('cell', { name: /price-watch script/ }).waitFor();
    await checkA11y(page, 'account');
    await page.screenshot({ path: join(SHOTS, 'account-desktop.png'), fullPage: true });
    await page.getByRole('button', { name: 'Déconnexion', exact: true }).click();
    await page.getByRole('link', { name: 'Connexion' }).waitFor();
    await page.reload();
    await page.getByRole('link', { name: 'Connexion' }).waitFor();
    assert((await page.getByTestId('whoami').count()) === 0, 'logged out after reload');
  });


  await test('a seller posts an aircraft with two photos, a buyer finds it, the price change shows', async (page) => {
    assert(seller, 'the registration test made a verified seller');
    const word = `zephyr${Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 6)}`;
    const title = `Robin DR400-140B ${word}, moteur 850 h`;
    // Two of the demo photos (WebP files written by the seed) as the seller's uploads.
    const files = [];
    const walk = (dir) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (files.length >= 2) return;
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('-800.webp')) files.push(p);
      }
    };
    walk(env.mediaDir);
    assert(files.length === 2, 'two demo photos to upload');

    await page.goto(`${spaUrl}/login?next=/sell`);
    await page.getByLabel('Adresse e-mail').fill(seller.email);
    await page.getByLabel('Mot de passe').fill(seller.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL('**/sell');
    await page.getByLabel('Catégorie').selectOption('single-engine-piston');
    await page.getByRole('button', { name: 'Suivant' }).click();
    await page.getByLabel("Titre de l'annonce").fill(title);
    // The draft survives a reload (the access token too, through the refresh cookie).
    await page.reload();
    await page.getByLabel("Titre de l'annonce").waitFor();
    assert((await page.getByLabel("Titre de l'annonce").inputValue()) === title, 'draft kept across a reload');
    await page.getByLabel('Description').fill('Beau DR400 entretenu en club.\nCarnets complets, peinture 2019.');
    await page.getByLabel('Montant').fill('65000');
    await page.getByLabel('Terrain (code OACI)').fill('LFPN');
    await page.getByLabel('Marque *').fill('Robin');
    await page.getByLabel('Modèle *').fill('DR400');
    await page.getByLabel('Année').fill('1978');
    // A value the API refuses comes back next to its field.
    await page.getByLabel('Immatriculation').fill('NOT A REG');
    await page.getByLabel('Heures cellule').fill('6540,5');
    await page.getByLabel('Places').fill('4');
    await page.getByLabel('Carburant').selectOption('100LL');
    await page.getByRole('button', { name: 'Enregistrer et continuer' }).click();
    await page.locator('#attr-registration-error').waitFor();
    await page.getByLabel('Immatriculation').fill('F-GABC');
    await page.getByRole('button', { name: 'Enregistrer et continuer' }).click();
    await page.getByRole('heading', { name: 'Photos', level: 2 }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'sell-photos-desktop.png'), fullPage: true });
    await page.locator('#sell-files').setInputFiles(
      files.map((p, i) => ({ name: `dr400-${i + 1}.webp`, mimeType: 'image/webp', buffer: readFileSync(p) })),
    );
    await page.locator('.uploads li[data-done=true]').nth(1).waitFor();
    const order = page.getByTestId('photo-order').locator('li');
    await order.nth(1).waitFor();
    const second = await order.nth(1).getAttribute('data-photo-id');
    await order.nth(1).getByRole('button', { name: 'Mettre en couverture' }).click();
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid=photo-order] li')?.getAttribute('data-photo-id') === id,
      second,
    );
    // Drag and drop does the same: the second photo dragged onto the first one's place, then back.
    const dragged = await order.nth(1).getAttribute('data-photo-id');
    await order.nth(1).dragTo(order.nth(0));
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid=photo-order] li')?.getAttribute('data-photo-id') === id,
      dragged,
    );
    await order.nth(0).dragTo(order.nth(1));
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid=photo-order] li')?.getAttribute('data-photo-id') === id,
      second,
    );
    await checkA11y(page, 'sell: photos');
    await page.getByRole('button', { name: 'Suivant' }).click();
    await page.getByTestId('preview').waitFor();
    await page.getByRole('button', { name: 'Publier' }).click();
    await page.waitForURL(/\/listings\/[0-9a-f-]{36}$/);
    const listingUrl = page.url();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();

    // Another visitor finds it by full text, then by filters.
    const buyerCtx = await browser.newContext({ viewport: WIDTHS.desktop, locale: 'fr-FR' });
    const buyer = await buyerCtx.newPage();
    await buyer.goto(spaUrl);
    await buyer.getByLabel('Rechercher une annonce').fill(word);
    await buyer.getByRole('button', { name: 'Rechercher' }).click();
    await buyer.getByTestId('results').getByRole('link', { name: title }).waitFor();
    await buyer.goto(`${spaUrl}/search?category=aircraft&make=Robin&year_min=1975&year_max=1980&near=LFPN&radius_km=50&sort=price_desc`);
    await buyer.getByTestId('results').getByRole('link', { name: title }).click();
    await buyer.waitForURL(listingUrl);
    const specs = buyer.getByTestId('specs');
    await specs.getByRole('rowheader', { name: 'Immatriculation' }).waitFor();
    const specText = (await specs.textContent()).replace(/[\u00a0\u202f]/g, ' ');
    for (const s of ['Robin', 'DR400', '1978', 'F-GABC', '6 540,5 h', '100LL']) assert(specText.includes(s), `specs show ${s}`);
    assert((await buyer.locator('.thumbs img').count()) === 2, 'two photos');
    await buyer.waitForFunction(() => (document.querySelector('.gallery-main img')?.naturalWidth ?? 0) > 0);
    const price = async () => ((await buyer.getByTestId('price').textContent()) ?? '').replace(/[\u00a0\u202f]/g, ' ');
    assert((await price()).includes('65 000 €'), `price 65 000 €: ${await price()}`);
    await buyer.getByTestId('location').getByText('(LFPN)').waitFor();

    // The seller lowers the price on the listing page.
    await page.getByText('Modifier le prix').click();
    await page.getByLabel('Nouveau prix (EUR)').fill('62000');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Prix modifié.').waitFor();

    // The buyer sees the new price and its history.
    await buyer.reload();
    await buyer.getByTestId('price').waitFor();
    await buyer.waitForFunction(() => (document.querySelector('[data-testid=price]')?.textContent ?? '').replace(/[\u00a0\u202f]/g, ' ').includes('62 000'));
    await buyer.getByText('Prix en baisse').waitFor();
    const history = ((await buyer.getByTestId('price-history').textContent()) ?? '').replace(/[\u00a0\u202f]/g, ' ');
    assert(history.includes('65 000 €') && history.includes('62 000 €'), `history shows both prices: ${history}`);
    await checkA11y(buyer, 'listing after a price change');
    await buyerCtx.close();
  });

  await test('the listing form labels and translates other groups\' fields (hangar space)', async (page) => {
    assert(seller, 'the registration test made a verified seller');
    await loginAs(page, seller);
    await page.goto(`${spaUrl}/sell`);
    await page.getByLabel('Catégorie').selectOption('hangars');
    await page.getByRole('button', { name: 'Suivant' }).click();
    await page.getByLabel('Largeur (m)').waitFor();
    await page.getByLabel('Hauteur de porte (m)').waitFor();
    const offer = page.getByLabel('Offre *');
    const options = await offer.locator('option').allTextContents();
    assert(options.includes('À louer au mois') && options.includes('À vendre'), `offer choices translated: ${options}`);
    await offer.selectOption('monthly_rent');
    assert((await page.locator('#attr-offer').inputValue()) === 'monthly_rent', 'the wire value stays');
    await checkA11y(page, 'sell: hangar fields');
    // In English too.
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByLabel('Door height (m)').waitFor();
    const en = await page.getByLabel('Offer *').locator('option').allTextContents();
    assert(en.includes('For monthly rent'), `offer choices in English: ${en}`);
  });

  await test('a demo seller sees their listings by status', async (page) => {
    await page.goto(`${spaUrl}/me/listings`);
    await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/me/listings');
    await page.getByLabel('Adresse e-mail').fill('seller0@demo.hangar.test');
    await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL('**/me/listings');
    await page.getByRole('tab', { name: /Publiée/ }).waitFor();
    const first = page.locator('#my-panel .my-item').first();
    await first.waitFor();
    await checkA11y(page, 'my listings');
    const title = (await first.locator('h3').textContent()).trim();
    const href = await first.locator('h3 a').getAttribute('href');
    // Reserve it: it moves to the "Réservée" tab.
    await first.getByRole('button', { name: 'Marquer réservée' }).click();
    await page.locator(`#my-panel a[href="${href}"]`).waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Réservée' }).click();
    const reserved = page.locator('#my-panel .my-item', { has: page.locator(`a[href="${href}"]`) });
    await reserved.waitFor();
    // The list's version is the If-Match of the actions: changed elsewhere meanwhile (here
    // through the API), the action is refused (412), said in words, and the list read again;
    // the second try, with the fresh version, works.
    const id = href.split('/').pop();
    const session = await (
      await fetch(`${apiUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'seller0@demo.hangar.test', password: DEMO_PASSWORD }),
      })
    ).json();
    const auth = { Authorization: `Bearer ${session.access_token}` };
    const current = await fetch(`${apiUrl}/api/v1/listings/${id}`, { headers: auth });
    const patched = await fetch(`${apiUrl}/api/v1/listings/${id}`, {
      method: 'PATCH',
      headers: { ...auth, 'Content-Type': 'application/json', 'If-Match': current.headers.get('etag') },
      body: JSON.stringify({ description: `${(await current.json()).description}\nModifiée ailleurs.` }),
    });
    assert(patched.status === 200, `PATCH elsewhere: ${patched.status}`);
    const patchedVersion = (await patched.json()).version;
    const releases = [];
    page.on('response', (r) => {
      if (r.url().endsWith(`/listings/${id}/release`)) releases.push(r.status());
    });
    await reserved.getByRole('button', { name: 'Remettre en vente' }).click();
    await page.getByTestId('my-conflict').getByText(`« ${title} » a changé entre-temps`).waitFor();
    assert(releases.join() === '412', `the stale version was refused: ${releases}`);
    await page.waitForFunction(
      ([h, v]) => document.querySelector(`#my-panel .my-item:has(a[href="${h}"])`)?.getAttribute('data-version') === v,
      [href, String(patchedVersion)],
    );
    await reserved.getByRole('button', { name: 'Remettre en vente' }).click();
    await page.locator(`#my-panel a[href="${href}"]`).waitFor({ state: 'detached' });
    assert(releases.join() === '412,200', `then released: ${releases}`);
    assert((await page.getByTestId('my-conflict').count()) === 0, 'the message goes with the next action');
    // Reserved again, for the edit below.
    await page.getByRole('tab', { name: /Publiée/ }).click();
    await page.locator('#my-panel .my-item', { has: page.locator(`a[href="${href}"]`) }).getByRole('button', { name: 'Marquer réservée' }).click();
    await page.locator(`#my-panel a[href="${href}"]`).waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Réservée' }).click();
    await reserved.waitFor();
    // Edit opens the listing form filled from the server.
    await reserved.getByRole('button', { name: 'Modifier' }).click();
    await page.waitForURL('**/sell');
    await page.waitForFunction((t) => document.querySelector('#sell-title')?.value === t, title);
  });

  await test('forgot password: the mailed link resets it, the new password logs in', async (page) => {
    const who = await registerByApi('oubli');
    await page.goto(`${spaUrl}/login`);
    await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
    await page.waitForURL('**/forgot-password');
    await page.getByLabel('Adresse e-mail').fill(who.email);
    await page.getByRole('button', { name: 'Recevoir un lien' }).click();
    await page.getByText(`Si un compte existe pour ${who.email}`).waitFor();
    await checkA11y(page, 'forgot password');
    const link = await mailLink(who.email, 'reset-password');
    assert(link.startsWith(spaUrl), `the mail links to the SPA: ${link}`);
    await page.goto(link);
    // Too short: the API's error lands next to the field.
    await page.getByLabel('Nouveau mot de passe').fill('court');
    await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
    await page.waitForFunction(() => document.querySelector('input[aria-invalid=true]') !== null);
    const newPassword = 'Atterrissage de precaution dans un champ de colza';
    await page.getByLabel('Nouveau mot de passe').fill(newPassword);
    await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
    await page.getByText('Mot de passe changé.').waitFor();
    await checkA11y(page, 'reset password');
    await page.getByRole('link', { name: 'Connexion' }).first().click();
    await page.waitForURL('**/login');
    // The old password no longer works, the new one does.
    await page.getByLabel('Adresse e-mail').fill(who.email);
    await page.getByLabel('Mot de passe').fill(who.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Mot de passe').fill(newPassword);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByTestId('whoami').getByText(who.name).waitFor();
    // The link is single-use.
    const again = await fetch(`${apiUrl}/api/v1/auth/password/reset`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: new URL(link).searchParams.get('token'), new_password: 'Encore un autre mot de passe assez long' }),
    });
    assert(again.status >= 400, `a used reset link is refused: ${again.status}`);
  });

  await test('log out everywhere ends the session in another browser', async (page) => {
    const who = await registerByApi('partout');
    await loginAs(page, who);
    const otherCtx = await browser.newContext({ viewport: WIDTHS.desktop, locale: 'fr-FR' });
    try {
      const other = await otherCtx.newPage();
      await loginAs(other, who);
      await other.reload();
      await other.getByTestId('whoami').getByText(who.name).waitFor();
      await page.goto(`${spaUrl}/account`);
      await page.getByRole('button', { name: 'Déconnexion partout' }).click();
      await page.waitForURL((u) => u.pathname === '/');
      await page.getByRole('link', { name: 'Connexion' }).waitFor();
      // The other browser's refresh cookie is dead: a reload comes back logged out.
      await other.reload();
      await other.getByRole('link', { name: 'Connexion' }).waitFor();
      assert((await other.getByTestId('whoami').count()) === 0, 'the other browser is logged out');
      // And this one too.
      await page.reload();
      await page.getByRole('link', { name: 'Connexion' }).waitFor();
      assert((await page.getByTestId('whoami').count()) === 0, 'this browser is logged out');
    } finally {
      await otherCtx.close();
    }
  });

  await test('admin: category tree and users', async (page) => {
    await page.goto(`${spaUrl}/login?next=/admin`);
    await page.getByLabel('Adresse e-mail').fill(env.admin.email);
    await page.getByLabel('Mot de passe').fill(env.admin.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL('**/admin');
    await page.getByTestId('admin-tree').getByText('single-engine-piston').waitFor();
    await page.getByLabel('Slug', { exact: true }).fill('floatplanes-e2e');
    await page.getByLabel('Nom (français)').fill('Hydravions E2E');
    await page.getByLabel('Nom (anglais)').fill('Floatplanes E2E');
    await page.getByLabel('Catégorie parente').fill('aircraft');
    await page.getByRole('button', { name: 'Créer' }).click();
    await page.getByTestId('admin-tree').getByText('floatplanes-e2e').waitFor();
    await checkA11y(page, 'admin categories');
    const category = async (slug) => (await fetch(`${apiUrl}/api/v1/categories/${slug}`)).json();
    const actions = (slug) => page.locator(`li[data-slug="${slug}"] > .admin-actions`);
    const childOrder = (slug) =>
      page.locator(`li[data-slug="${slug}"] > ul > li`).evaluateAll((lis) => lis.map((li) => li.getAttribute('data-slug')));

    // Reorder: the new category goes last among aircraft's children; one step up.
    const before = await childOrder('aircraft');
    assert(before.at(-1) === 'floatplanes-e2e' && before.length >= 2, `created last: ${before}`);
    await actions('floatplanes-e2e').getByRole('button', { name: 'Monter Hydravions E2E' }).click();
    const expected = [...before.slice(0, -2), 'floatplanes-e2e', before.at(-2)];
    await page.waitForFunction(
      (want) => [...document.querySelectorAll('li[data-slug="aircraft"] > ul > li')].map((li) => li.getAttribute('data-slug')).join() === want,
      expected.join(),
    );
    const aircraft = await category('aircraft');
    assert(aircraft.children.map((c) => c.slug).join() === expected.join(), `the API has the new order: ${aircraft.children.map((c) => c.slug)}`);

    // The top level too (administrators): ULM one step up, before aircraft, then back.
    const topOrder = () =>
      page.locator('[data-testid=admin-tree] > ul > li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-slug')));
    const publicTop = async () => (await (await fetch(`${apiUrl}/api/v1/categories`)).json()).items.map((c) => c.slug);
    const top = await topOrder();
    assert(top[0] === 'aircraft' && top[1] === 'ulm', `seeded top level: ${top}`);
    await actions('aircraft').getByRole('button', { name: 'Monter Avions', exact: true }).waitFor();
    assert(await actions('aircraft').getByRole('button', { name: 'Monter Avions', exact: true }).isDisabled(), 'the first cannot go up');
    await actions('ulm').getByRole('button', { name: 'Monter ULM', exact: true }).click();
    const swapped = ['ulm', 'aircraft', ...top.slice(2)];
    await page.waitForFunction(
      (want) => [...document.querySelectorAll('[data-testid=admin-tree] > ul > li')].map((li) => li.getAttribute('data-slug')).join() === want,
      swapped.join(),
    );
    let pub = await publicTop();
    assert(pub.join() === swapped.filter((s) => pub.includes(s)).join() && pub[0] === 'ulm', `the API has the new top level: ${pub}`);
    await actions('ulm').getByRole('button', { name: 'Descendre ULM', exact: true }).click();
    await page.waitForFunction(
      (want) => [...document.querySelectorAll('[data-testid=admin-tree] > ul > li')].map((li) => li.getAttribute('data-slug')).join() === want,
      top.join(),
    );
    pub = await publicTop();
    assert(pub.join() === top.filter((s) => pub.includes(s)).join() && pub[0] === 'aircraft', `back: ${pub}`);

    // Rename: an empty name comes back next to its field; then both names change.
    await actions('floatplanes-e2e').getByRole('button', { name: 'Modifier' }).click();
    const edit = page.getByRole('form', { name: 'Modifier la catégorie floatplanes-e2e' });
    await edit.getByLabel('Nom (français)').fill('');
    await edit.getByRole('button', { name: 'Enregistrer' }).click();
    await page.locator('#edit-floatplanes-e2e-fr-error').waitFor();
    assert((await edit.getByLabel('Nom (français)').getAttribute('aria-invalid')) === 'true', 'name_fr marked invalid');
    await checkA11y(page, 'admin: category editor with an error');
    await edit.getByLabel('Nom (français)').fill('Hydravions et amphibies');
    await edit.getByLabel('Nom (anglais)').fill('Floatplanes & amphibians');
    // Move: to the top level.
    await edit.getByLabel('Déplacer sous').selectOption('');
    await edit.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByTestId('admin-notice').getByText('Catégorie enregistrée.').waitFor();
    await page.locator('[data-testid=admin-tree] > ul > li[data-slug="floatplanes-e2e"]').waitFor();
    let moved = await category('floatplanes-e2e');
    assert(moved.name_fr === 'Hydravions et amphibies' && moved.name_en === 'Floatplanes & amphibians', `renamed: ${JSON.stringify(moved)}`);
    assert(moved.path.length === 0 && !moved.parent, `top level now: ${JSON.stringify(moved.path)}`);
    // And back under aircraft, through the same editor.
    await actions('floatplanes-e2e').getByRole('button', { name: 'Modifier' }).click();
    await page.getByRole('form', { name: 'Modifier la catégorie floatplanes-e2e' }).getByLabel('Déplacer sous').selectOption('aircraft');
    await page.getByRole('form', { name: 'Modifier la catégorie floatplanes-e2e' }).getByRole('button', { name: 'Enregistrer' }).click();
    await page.locator('li[data-slug="aircraft"] > ul > li[data-slug="floatplanes-e2e"]').waitFor();

    // Delete: with a subcategory, the API wants a `move_to`; its refusal shows next to the choice.
    await page.getByLabel('Slug', { exact: true }).fill('amphibians-e2e');
    await page.getByLabel('Nom (français)').first().fill('Amphibies E2E');
    await page.getByLabel('Nom (anglais)').first().fill('Amphibians E2E');
    await page.getByLabel('Catégorie parente').fill('floatplanes-e2e');
    await page.getByRole('button', { name: 'Créer' }).click();
    await page.locator('li[data-slug="floatplanes-e2e"] > ul > li[data-slug="amphibians-e2e"]').waitFor();
    await actions('floatplanes-e2e').getByRole('button', { name: 'Supprimer' }).click();
    const del = page.getByRole('form', { name: 'Supprimer la catégorie floatplanes-e2e' });
    await del.getByRole('button', { name: 'Supprimer définitivement' }).click();
    await page.locator('#delete-floatplanes-e2e-move-error').waitFor();
    assert((await del.getByLabel('Déplacer ses sous-catégories').getAttribute('aria-invalid')) === 'true', 'move_to marked invalid');
    await del.getByLabel('Déplacer ses sous-catégories').selectOption('aircraft');
    await del.getByRole('button', { name: 'Supprimer définitivement' }).click();
    await page.getByTestId('admin-notice').getByText('Catégorie floatplanes-e2e supprimée.').waitFor();
    await page.locator('li[data-slug="aircraft"] > ul > li[data-slug="amphibians-e2e"]').waitFor();
    assert((await page.locator('li[data-slug="floatplanes-e2e"]').count()) === 0, 'deleted from the tree');
    assert((await fetch(`${apiUrl}/api/v1/categories/floatplanes-e2e`)).status === 404, 'deleted in the API');
    moved = await category('amphibians-e2e');
    assert(moved.parent === 'aircraft', `the child moved: ${JSON.stringify(moved.path)}`);
    await checkA11y(page, 'admin categories after edits');
    await page.getByRole('link', { name: 'Utilisateurs' }).click();
    await page.getByLabel('Rechercher (nom, e-mail)').fill('seller0');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByTestId('admin-users').getByRole('cell', { name: 'seller0@demo.hangar.test' }).waitFor();
    await checkA11y(page, 'admin users');
  });

  await test('a buyer favourites a listing, saves a search, reads notifications; unsubscribe link refused', async (page) => {
    const buyer = await registerByApi('favoris');
    await loginAs(page, buyer);
    // The bell is in the header once logged in.
    await page.getByTestId('bell').waitFor();
    await page.goto(`${spaUrl}/listings/${target.id}`);
    const heart = page.getByRole('button', { name: 'Favori', exact: true });
    await heart.waitFor();
    await page.waitForFunction(() => !document.querySelector('.favorite-large button')?.hasAttribute('disabled'));
    assert((await heart.getAttribute('aria-pressed')) === 'false', 'not a favourite yet');
    await heart.click();
    await page.waitForFunction(() => document.querySelector('.favorite-large button')?.getAttribute('aria-pressed') === 'true');
    // Favourites: the listing with its current price.
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Favoris' }).click();
    await page.waitForURL('**/me/favorites');
    const row = page.getByTestId('favorite').filter({ hasText: target.title });
    await row.getByRole('link', { name: target.title }).waitFor();
    const change = ((await row.getByTestId('price-change').textContent()) ?? '').trim();
    assert(/Prix inchangé|inconnue/.test(change), `price change of a fresh favourite: ${change}`);
    await checkA11y(page, 'favourites');

    // Save the results page's search.
    await page.goto(`${spaUrl}/search?category=aircraft&price_max=10000000&sort=price_asc`);
    await page.getByTestId('results').locator('article').first().waitFor();
    // The cards carry the heart too.
    await page.getByTestId('results').locator('button[aria-pressed]').first().waitFor();
    await page.getByRole('button', { name: 'Enregistrer cette recherche' }).click();
    const name = 'Avions à moins de 100 000 €';
    await page.getByLabel('Nom de la recherche').fill(name);
    await page.getByLabel('Alertes par e-mail').selectOption('weekly');
    await checkA11y(page, 'search with the save form');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText(`Recherche « ${name} » enregistrée.`).waitFor();
    await page.goto(`${spaUrl}/me/saved-searches`);
    const saved = page.getByTestId('saved-search').filter({ hasText: name });
    await saved.waitFor();
    assert((await saved.getByLabel('Alertes par e-mail').inputValue()) === 'weekly', 'weekly saved');
    await checkA11y(page, 'saved searches');
    // Paused from here, then opened: the search is the one saved.
    await saved.getByLabel('Alertes par e-mail').selectOption('off');
    await saved.getByRole('button', { name: 'Enregistrer les modifications' }).click();
    await saved.getByText('Modifications enregistrées.').waitFor();
    await page.reload();
    await page.getByTestId('saved-search').filter({ hasText: name }).waitFor();
    assert((await page.getByTestId('saved-search').filter({ hasText: name }).getByLabel('Alertes par e-mail').inputValue()) === 'off', 'paused');
    await page.getByRole('link', { name: `Lancer la recherche « ${name} »` }).click();
    await page.waitForURL((u) => u.pathname === '/search');
    const q = new URL(page.url()).searchParams;
    assert(q.get('category') === 'aircraft' && q.get('price_max') === '10000000' && q.get('sort') === 'price_asc', `opened search: ${page.url()}`);
    await page.getByTestId('results').locator('article').first().waitFor();

    // Notifications render (none yet for a new account).
    await page.getByTestId('bell').click();
    await page.waitForURL('**/me/notifications');
    await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    await page.getByTestId('unread-count').waitFor();
    await page.getByText("Aucune notification pour l'instant.").waitFor();
    await checkA11y(page, 'notifications');

    // Remove the favourite from Favourites.
    await page.goto(`${spaUrl}/me/favorites`);
    await page.getByRole('button', { name: `Retirer des favoris : ${target.title}` }).click();
    await page.getByText("Vous n'avez pas encore de favori", { exact: false }).waitFor();

    // A tampered unsubscribe link: the API's problem, in words.
    await page.goto(`${spaUrl}/unsubscribe?token=not-a-real-token`);
    await page.getByRole('alert').waitFor();
    await checkA11y(page, 'unsubscribe refused');
  });

  let messagesThread = '';
  let messagesBuyer = null;
  await test('a buyer contacts a demo seller, the seller replies from the inbox, the buyer reads the reply', async (page) => {
    // A published listing of seller2 (read through the API as that seller).
    const seller = { email: 'seller2@demo.hangar.test', password: DEMO_PASSWORD };
    const login = await (
      await fetch(`${apiUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(seller),
      })
    ).json();
    const mine = await (
      await fetch(`${apiUrl}/api/v1/users/me/listings?status=published&limit=5`, {
        headers: { Authorization: `Bearer ${login.access_token}` },
      })
    ).json();
    const listing = mine.items[0];
    assert(listing, 'seller2 has a published listing');

    const buyer = await registerByApi('messages');
    await loginAs(page, buyer);
    await page.goto(`${spaUrl}/listings/${listing.id}`);
    await page.getByRole('heading', { level: 2, name: 'Contacter le vendeur' }).waitFor();
    const first = `Bonjour, l'avion est-il toujours disponible ? (${Date.now()})`;
    await page.getByLabel('Votre message').fill(first);
    await page.getByRole('button', { name: 'Envoyer le message' }).click();
    await page.waitForURL(/\/me\/messages\/[0-9a-f-]{36}$/);
    const threadUrl = page.url();
    await page.getByTestId('message').filter({ hasText: first }).waitFor();

    // The seller: the unread conversation in the header and the inbox, then the reply.
    const sellerCtx = await browser.newContext({ viewport: WIDTHS.desktop, locale: 'fr-FR' });
    try {
      const sp = await sellerCtx.newPage();
      await loginAs(sp, seller);
      await sp.getByTestId('messages-count').waitFor();
      await sp.getByTestId('messages-link').click();
      await sp.waitForURL('**/me/messages');
      const row = sp.getByTestId('conversation').filter({ hasText: first });
      await row.waitFor();
      assert((await row.getByTestId('conversation-unread').textContent()).includes('1 non lu'), 'one unread message');
      assert((await row.textContent()).includes(`Avec l'acheteur : ${buyer.name}`), 'the buyer named');
      await checkA11y(sp, 'messages inbox');
      await row.getByRole('link', { name: listing.title }).click();
      await sp.waitForURL(threadUrl);
      await sp.getByTestId('message').filter({ hasText: first }).waitFor();
      const reply = 'Oui, visite possible samedi à LFPN.';
      const box = sp.getByLabel('Votre réponse');
      await box.fill(reply);
      await sp.getByRole('button', { name: 'Envoyer', exact: true }).click();
      await sp.getByTestId('message').filter({ hasText: reply }).waitFor();
      assert((await box.inputValue()) === '', 'the box is emptied');
      assert(await box.evaluate((el) => el === document.activeElement), 'focus back in the box');
      await checkA11y(sp, 'messages thread');
      // Read on opening: the inbox no longer counts it.
      await sp.goto(`${spaUrl}/me/messages`);
      await sp.getByTestId('conversation').filter({ hasText: reply }).waitFor();
      assert((await sp.getByTestId('conversation-unread').count()) === 0, 'read once opened');

      // The buyer sees the reply (and the new_message notification leads to the thread).
      await page.goto(`${spaUrl}/me/messages`);
      const mineRow = page.getByTestId('conversation').filter({ hasText: reply });
      await mineRow.getByTestId('conversation-unread').waitFor();
      await page.goto(`${spaUrl}/me/notifications`);
      await page.getByRole('link', { name: `Lire la conversation sur « ${listing.title} »` }).first().click();
      await page.waitForURL(threadUrl);
      await page.getByTestId('message').filter({ hasText: reply }).waitFor();

      // Block with confirmation: the state explained, the reply box gone; then unblock.
      await page.getByRole('button', { name: /^Bloquer / }).click();
      await page.getByRole('button', { name: /^Oui, bloquer / }).click();
      await page.getByTestId('blocked').waitFor();
      await checkA11y(page, 'messages thread, blocked');
      await page.getByRole('button', { name: /^Débloquer / }).click();
      await page.getByLabel('Votre réponse').waitFor();
    } finally {
      await sellerCtx.close();
    }
    messagesThread = threadUrl;
    messagesBuyer = buyer;
  });

  await test('the API reference renders offline under its strict Content-Security-Policy', async (page) => {
    const refused = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) refused.push(m.text());
    });
    page.on('requestfailed', (r) => refused.push(`failed: ${r.url()}`));
    const res = await page.goto(`${apiUrl}/docs/`);
    const csp = res.headers()['content-security-policy'] ?? '';
    assert(csp.split(';').map((d) => d.trim()).includes("script-src 'self'"), `the docs' policy: ${csp}`);
    await page.locator('.opblock').first().waitFor();
    // Expanding an operation re-renders under the policy (schemas, examples, icons).
    await page.locator('.opblock-summary').first().click();
    await page.locator('.opblock-body').first().waitFor();
    await page.waitForLoadState('networkidle');
    assert(refused.length === 0, `blocked by the policy or offline: ${refused.join('; ')}`);
  });

  await test('screenshots of the main pages (desktop 1280, phone 375)', async () => {
    const waitCards = async (p) => p.locator('article').first().waitFor();
    await screenshots(browser, spaUrl, 'home', waitCards);
    await screenshots(browser, `${spaUrl}/search?category=aircraft`, 'search', waitCards);
    await screenshots(browser, `${spaUrl}/listings/${target.id}`, 'listing', (p) => p.getByTestId('specs').waitFor());
    await screenshots(browser, `${spaUrl}/login`, 'login', (p) => p.getByRole('heading', { level: 1 }).waitFor());
    await screenshots(browser, `${spaUrl}/register`, 'register', (p) => p.getByRole('heading', { level: 1 }).waitFor());
    const demo = { email: 'seller1@demo.hangar.test', password: DEMO_PASSWORD };
    await screenshots(browser, `${spaUrl}/me/listings`, 'my-listings', waitCards, demo);
    await screenshots(browser, `${spaUrl}/account`, 'account', (p) => p.getByRole('heading', { level: 2, name: 'Profil' }).waitFor(), demo);
    // The demo seller has notifications from the seeding: the page with items passes axe too.
    await screenshots(browser, `${spaUrl}/me/notifications`, 'notifications', async (p) => {
      await p.getByTestId('unread-count').waitFor();
      await checkA11y(p, 'notifications of a demo seller');
    }, demo);
    if (messagesBuyer) {
      await screenshots(browser, `${spaUrl}/me/messages`, 'messages', (p) => p.getByTestId('conversation').first().waitFor(), messagesBuyer);
      await screenshots(browser, messagesThread, 'messages-thread', (p) => p.getByTestId('message').first().waitFor(), messagesBuyer);
    }
    await screenshots(browser, `${spaUrl}/sell`, 'sell', (p) => p.getByLabel('Catégorie').waitFor(), demo);
    await screenshots(browser, `${spaUrl}/admin/users`, 'admin-users', (p) => p.getByTestId('admin-users').waitFor(), env.admin);
  });

  // Last: it restarts the API with a real SMTP server (mail no longer goes to the log) and a
  // fast alerts job. One story across four browsers: buyer, seller, a reporting member, a moderator.
  await test('issue #8: a saved search alerts the buyer (bell and mail), favourite, messages, price drop, report, a moderator hides the listing and puts it back', async (page) => {
    const smtp = await smtpSink();
    await restartApi({ SMTP_URL: smtp.url, ALERTS_INTERVAL_MS: '1000' });
    const newPage = async () => (await browser.newContext({ viewport: WIDTHS.desktop, locale: 'fr-FR' })).newPage();
    /** A new member whose address is verified through the link of the real verification mail. */
    const verifiedMember = async (name) => {
      const who = await registerByApi(name);
      const mail = await smtp.waitFor(who.email, (m) => /verify-email\?token=/.test(m.text));
      const link = mail.text.match(/https?:\/\/\S+\/verify-email\?token=[A-Za-z0-9_-]+/)?.[0];
      assert(link?.startsWith(spaUrl), `a verification link to the SPA: ${link}`);
      const p = await newPage();
      await p.goto(link);
      await p.getByTestId('verified').waitFor();
      await p.context().close();
      return who;
    };
    const word = `alerte${Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 6)}`;
    const title = `Jodel D140 Mousquetaire ${word}`;
    const [buyer, sellerWho] = [await verifiedMember('acheteur'), await verifiedMember('vendeur')];

    // 1. The buyer saves a search (instant alerts) that nothing matches yet.
    await loginAs(page, buyer);
    await page.goto(`${spaUrl}/search?q=${word}`);
    await page.getByTestId('result-count').waitFor();
    await page.getByRole('button', { name: 'Enregistrer cette recherche' }).click();
    const searchName = `Jodel ${word}`;
    await page.getByLabel('Nom de la recherche').fill(searchName);
    await page.getByLabel('Alertes par e-mail').selectOption('instant');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText(`Recherche « ${searchName} » enregistrée.`).waitFor();

    // 2. The seller posts a matching aircraft through the Sell form and publishes it.
    const seller = await newPage();
    await loginAs(seller, sellerWho);
    await seller.goto(`${spaUrl}/sell`);
    await seller.getByLabel('Catégorie').selectOption('single-engine-piston');
    await seller.getByRole('button', { name: 'Suivant' }).click();
    await seller.getByLabel("Titre de l'annonce").fill(title);
    await seller.getByLabel('Description').fill(`Jodel quatre places, entoilage refait. ${word}`);
    await seller.getByLabel('Montant').fill('48000');
    await seller.getByLabel('Terrain (code OACI)').fill('LFPN');
    await seller.getByLabel('Marque *').fill('Jodel');
    await seller.getByLabel('Modèle *').fill('D140');
    await seller.getByRole('button', { name: 'Enregistrer et continuer' }).click();
    await seller.getByRole('heading', { name: 'Photos', level: 2 }).waitFor();
    let photo = null;
    const walk = (dir) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (photo) return;
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('-800.webp')) photo = p;
      }
    };
    walk(env.mediaDir);
    await seller.locator('#sell-files').setInputFiles([{ name: 'd140.webp', mimeType: 'image/webp', buffer: readFileSync(photo) }]);
    await seller.locator('.uploads li[data-done=true]').first().waitFor();
    await seller.getByRole('button', { name: 'Suivant' }).click();
    await seller.getByTestId('preview').waitFor();
    await seller.getByRole('button', { name: 'Publier' }).click();
    await seller.waitForURL(/\/listings\/[0-9a-f-]{36}$/);
    const listingUrl = seller.url();
    const listingId = listingUrl.split('/').pop();

    // 3. The alerts job (every second here) matches it: the buyer gets the mail, with the
    // listing's title and link…
    const alert = await smtp.waitFor(buyer.email, (m) => m.text.includes(title));
    assert(alert.text.includes(`${spaUrl}/listings/${listingId}`), `the alert mail links to the listing:\n${alert.text}`);
    // …and the notification, counted on the bell (written before the mail is queued).
    await page.goto(`${spaUrl}/me/saved-searches`);
    await page.getByTestId('bell-count').waitFor();
    assert(Number(await page.getByTestId('bell-count').textContent()) >= 1, 'the bell counts the new match');
    await page.getByTestId('bell').click();
    await page.waitForURL('**/me/notifications');
    const note = page.getByTestId('notification').filter({ hasText: `Nouvelle annonce pour « ${searchName} » : ${title}` });
    await note.waitFor();
    await note.getByRole('link', { name: `Voir l'annonce : ${title}` }).click();
    await page.waitForURL(listingUrl);

    // 4. The buyer keeps it as a favourite and writes to the seller.
    const heart = page.getByRole('button', { name: 'Favori', exact: true });
    await heart.waitFor();
    await page.waitForFunction(() => !document.querySelector('.favorite-large button')?.hasAttribute('disabled'));
    await heart.click();
    await page.waitForFunction(() => document.querySelector('.favorite-large button')?.getAttribute('aria-pressed') === 'true');
    const question = 'Bonjour, les carnets sont-ils à jour ?';
    await page.getByLabel('Votre message').fill(question);
    await page.getByRole('button', { name: 'Envoyer le message' }).click();
    await page.waitForURL(/\/me\/messages\/[0-9a-f-]{36}$/);
    const threadUrl = page.url();

    // 5. The seller answers from the inbox.
    await seller.goto(`${spaUrl}/me/messages`);
    await seller.getByTestId('conversation').filter({ hasText: question }).getByRole('link', { name: title }).click();
    await seller.waitForURL(threadUrl);
    const answer = 'Oui, visite possible dimanche à LFPN.';
    await seller.getByLabel('Votre réponse').fill(answer);
    await seller.getByRole('button', { name: 'Envoyer', exact: true }).click();
    await seller.getByTestId('message').filter({ hasText: answer }).waitFor();
    await page.reload();
    await page.getByTestId('message').filter({ hasText: answer }).waitFor();

    // 6. The seller drops the price: from My listings to the listing's price editor.
    await seller.goto(`${spaUrl}/me/listings`);
    await seller.locator('#my-panel .my-item').getByRole('link', { name: title }).click();
    await seller.waitForURL(listingUrl);
    await seller.getByText('Modifier le prix').click();
    await seller.getByLabel('Nouveau prix (EUR)').fill('45000');
    await seller.getByRole('button', { name: 'Enregistrer' }).click();
    await seller.getByText('Prix modifié.').waitFor();

    // 7. The buyer sees the drop on Favourites.
    await page.goto(`${spaUrl}/me/favorites`);
    const fav = page.getByTestId('favorite').filter({ hasText: title });
    await fav.waitFor();
    const change = ((await fav.getByTestId('price-change').textContent()) ?? '').replace(/[\u00a0\u202f]/g, ' ');
    assert(change.includes('En baisse de 3 000 €') && change.includes('48 000 €'), `the drop on Favourites: ${change}`);

    // 8. Another member reports it through the dialog (Escape closes it; a second report is a 409).
    const reporterWho = await registerByApi('signale');
    const reporter = await newPage();
    await loginAs(reporter, reporterWho);
    await reporter.goto(listingUrl);
    const open = reporter.getByRole('button', { name: 'Signaler cette annonce' });
    await open.click();
    const dialog = reporter.getByRole('dialog', { name: 'Signaler cette annonce' });
    await dialog.waitFor();
    assert(await dialog.evaluate((d) => d.open && d.matches(':modal')), 'a modal dialog');
    await reporter.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert(await open.evaluate((el) => el === document.activeElement), 'focus back on the button after Escape');
    await open.click();
    await dialog.getByRole('radio', { name: 'Autre raison' }).check();
    await dialog.getByRole('button', { name: 'Envoyer le signalement' }).click();
    await dialog.getByText('Dites aux modérateurs ce qui ne va pas.').waitFor();
    await checkA11y(reporter, 'report dialog with an error');
    await dialog.getByLabel('Commentaire (obligatoire pour « Autre raison »)').fill('Même avion publié deux fois, photos reprises ailleurs.');
    await dialog.getByRole('button', { name: 'Envoyer le signalement' }).click();
    await reporter.getByTestId('report-done').waitFor();
    assert(await reporter.getByTestId('report-done').evaluate((el) => el === document.activeElement), 'focus on the thanks');
    await reporter.reload();
    await reporter.getByRole('button', { name: 'Signaler cette annonce' }).click();
    await dialog.getByRole('radio', { name: 'Annonce en double' }).check();
    await dialog.getByRole('button', { name: 'Envoyer le signalement' }).click();
    await dialog.getByRole('alert').getByText('Vous avez déjà signalé cette annonce', { exact: false }).waitFor();

    // 9. A moderator (a member an administrator promoted) hides it from the Moderation area.
    const modWho = await registerByApi('moderateur');
    const adminSession = await (
      await fetch(`${apiUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: env.admin.email, password: env.admin.password }),
      })
    ).json();
    const adminAuth = { Authorization: `Bearer ${adminSession.access_token}` };
    const found = await (await fetch(`${apiUrl}/api/v1/admin/users?q=${encodeURIComponent(modWho.email)}`, { headers: adminAuth })).json();
    const modId = found.items.find((u) => u.email === modWho.email)?.id;
    assert(modId, `the moderator-to-be is found: ${JSON.stringify(found).slice(0, 300)}`);
    const promoted = await fetch(`${apiUrl}/api/v1/admin/users/${modId}/role`, {
      method: 'PUT',
      headers: { ...adminAuth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ role: 'moderator' }),
    });
    assert(promoted.status === 200, `promoted to moderator: ${promoted.status} ${await promoted.text()}`);
    // Members have no Moderation link and the page is not found for them.
    assert((await page.getByRole('link', { name: 'Modération' }).count()) === 0, 'no Moderation link for a member');
    await page.goto(`${spaUrl}/moderation`);
    await page.getByRole('heading', { level: 1, name: 'Page introuvable' }).waitFor();

    const mod = await newPage();
    await loginAs(mod, modWho);
    await mod.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Modération' }).click();
    await mod.waitForURL('**/moderation');
    const card = mod.getByTestId('report').filter({ hasText: title });
    await card.waitFor();
    const cardText = await card.textContent();
    assert(cardText.includes('Autre raison') && cardText.includes('Même avion publié deux fois'), `reason and comment: ${cardText}`);
    assert(cardText.includes(`Vendeur : ${sellerWho.name} (compte actif)`), `the seller and their account: ${cardText}`);
    assert(cardText.includes('1 signalement(s) ouvert(s) sur cette annonce, 1 au total'), `counts: ${cardText}`);
    await checkA11y(mod, 'moderation: reports');
    await mod.screenshot({ path: join(SHOTS, 'moderation-reports-desktop.png'), fullPage: true });
    await card.getByRole('button', { name: `Masquer l'annonce : ${title}` }).click();
    const confirm = mod.getByRole('dialog', { name: `Masquer l'annonce : ${title}` });
    await confirm.getByRole('button', { name: "Confirmer : Masquer l'annonce" }).click();
    await confirm.getByText('Une note est obligatoire.').waitFor();
    await checkA11y(mod, 'moderation: confirmation with an error');
    await mod.screenshot({ path: join(SHOTS, 'moderation-confirm-desktop.png') });
    const why = `Doublon signalé, annonce masquée (${word}).`;
    await confirm.getByLabel('Note pour le journal (obligatoire)').fill(why);
    await confirm.getByRole('button', { name: "Confirmer : Masquer l'annonce" }).click();
    await mod.getByTestId('moderation-notice').getByText(`« ${title} » : Masquer l'annonce (1 signalement(s) traité(s)).`).waitFor();
    await mod.getByTestId('report').filter({ hasText: title }).waitFor({ state: 'detached' });
    await mod.getByRole('button', { name: 'Traités' }).click();
    await mod.getByTestId('report').filter({ hasText: title }).filter({ hasText: why }).waitFor();
    await mod.getByRole('link', { name: "Journal d'audit" }).click();
    const row = mod.getByTestId('audit-entry').filter({ hasText: why });
    await row.waitFor();
    assert((await row.textContent()).includes("Masquer l'annonce") && (await row.textContent()).includes('vous'), `audit row: ${await row.textContent()}`);
    await checkA11y(mod, 'moderation: audit log');
    await mod.screenshot({ path: join(SHOTS, 'moderation-audit-desktop.png'), fullPage: true });
    await mod.setViewportSize(WIDTHS.phone);
    await mod.screenshot({ path: join(SHOTS, 'moderation-audit-phone.png'), fullPage: true });
    await mod.getByRole('link', { name: 'Signalements' }).click();
    await mod.getByRole('button', { name: 'Traités' }).click();
    await mod.getByTestId('report').filter({ hasText: title }).waitFor();
    await mod.screenshot({ path: join(SHOTS, 'moderation-resolved-phone.png'), fullPage: true });
    await checkA11y(mod, 'moderation: resolved reports, phone');

    // 10. Gone for the public; the seller sees it hidden.
    const visitor = await newPage();
    await visitor.goto(listingUrl);
    await visitor.getByRole('heading', { level: 1, name: 'Page introuvable' }).waitFor();
    assert((await fetch(`${apiUrl}/api/v1/listings/${listingId}`)).status === 404, 'the API hides it from the public');
    await seller.goto(`${spaUrl}/me/listings`);
    await seller.getByRole('tab', { name: /Masquée par la modération/ }).click();
    await seller.locator('#my-panel .my-item').getByRole('link', { name: title }).waitFor();
    // The moderator still reads it, on its own page, with the way back (taken below from the report).
    await mod.goto(listingUrl);
    await mod.getByRole('heading', { level: 1, name: title }).waitFor();
    await mod.getByRole('region', { name: 'Modération' }).getByRole('button', { name: "Remettre l'annonce en ligne" }).click();
    const fromPage = mod.getByRole('dialog', { name: `Remettre l'annonce en ligne : ${title}` });
    await fromPage.getByLabel('Note pour le journal (obligatoire)').waitFor();
    await checkA11y(mod, 'listing page: unhide dialog for a moderator, phone');
    await mod.keyboard.press('Escape');
    await fromPage.waitFor({ state: 'detached' });
    await mod.goto(`${spaUrl}/moderation/reports?state=resolved`);

    // 11. The moderator puts it back from its resolved report (a note is required); public again.
    const unhideName = `Remettre l'annonce en ligne : ${title}`;
    await mod.getByTestId('report').filter({ hasText: title }).getByRole('button', { name: unhideName }).click();
    const unhide = mod.getByRole('dialog', { name: unhideName });
    await unhide.getByLabel('Note pour le journal (obligatoire)').fill(`Erreur de modération (${word}).`);
    await checkA11y(mod, 'moderation: unhide dialog, phone');
    await mod.screenshot({ path: join(SHOTS, 'moderation-unhide-phone.png') });
    await unhide.getByRole('button', { name: "Confirmer : Remettre l'annonce en ligne" }).click();
    await mod.getByTestId('moderation-notice').getByText(`« ${title} » est remise en ligne (statut : Publiée).`).waitFor();
    await mod.getByTestId('report').filter({ hasText: title }).getByRole('button', { name: unhideName }).waitFor({ state: 'detached' });
    await visitor.goto(listingUrl);
    await visitor.getByRole('heading', { level: 1, name: title }).waitFor();
    // The queue of listings held for review (pre-moderation is off here, so most likely empty).
    await mod.setViewportSize(WIDTHS.desktop);
    await mod.getByRole('link', { name: 'En attente de relecture' }).click();
    await mod.waitForURL('**/moderation/pending');
    await mod.getByText('Aucune annonce en attente de relecture.').or(mod.getByTestId('pending')).waitFor();
    await checkA11y(mod, 'moderation: pending review');
    await mod.screenshot({ path: join(SHOTS, 'moderation-pending-desktop.png'), fullPage: true });
    for (const p of [seller, reporter, mod, visitor]) await p.context().close();
  });

  await browser.close();
  const failed = results.filter(([, e]) => e);
  log(`${results.length - failed.length} passed, ${failed.length} failed; screenshots in ${SHOTS}`);
  return failed.length === 0;
}

let ok = false;
try {
  ok = await main();
} catch (e) {
  log(`setup failed: ${e.stack ?? e}`);
} finally {
  await teardown();
}
process.exit(ok ? 0 : 1);
