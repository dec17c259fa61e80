// End-to-end tests of the console in Debian's Chromium (playwright-core, executablePath
// /usr/bin/chromium; no browser is ever downloaded) against a real `chartroom serve` with a
// generated population: sign in, find a patient despite a typo and open the chart, merge and
// unmerge a duplicate pair, code a case to final, take a release request from the queue to a
// downloaded packet, read the dashboard, and sign a privacy officer in with TOTP to an access
// report. Exits non-zero on the first failure.
//
//   node e2e/run.mjs path/to/chartroom     (SCREENSHOTS=dir keeps screenshots of the screens)
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, mkdirSync } from "node:fs";
import { createHmac } from "node:crypto";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const bin = process.argv[2];
if (!bin) throw new Error("usage: node e2e/run.mjs path/to/chartroom");
const work = mkdtempSync(join(tmpdir(), "chartroom-e2e-"));
const data = join(work, "data");
const shots = process.env.SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const password = "e2e-Console-Passw0rd!";
let server;
let browser;
let step = "setting up";

function run(args, input) {
  const r = spawnSync(bin, args, { input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`chartroom ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

// The current RFC 6238 code (SHA-1, 6 digits, 30 s) of an otpauth:// URI's base32 secret.
function totp(uri) {
  const secret = new URL(uri).searchParams.get("secret");
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const at = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1000000).padStart(6, "0");
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(url) {
  for (let i = 0; i < 200; ++i) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

function check(condition, what) {
  if (!condition) throw new Error(what);
}

async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

try {
  // A population, imported, and an HIM technician.
  const population = join(work, "population");
  run(["generate", "--patients", "40", "--seed", "11", "--out", population]);
  const files = readdirSync(population).filter((f) => /^[A-Z].*\.ndjson$/.test(f));
  run(["import", "--data", data, ...files.map((f) => join(population, f))]);
  run(["user", "add", "tech", "--role", "him_technician", "--data", data], `${password}\n`);
  run(["user", "add", "priv", "--role", "privacy_officer", "--data", data], `${password}\n`);
  const otpauth = run(["user", "totp", "priv", "--data", data]).trim();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Privacy officers sign in with an authenticator code (MFA).
  server = spawn(bin, ["serve", "--data", data, "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, CHARTROOM_ACCESS_TOTP_ROLES: "privacy_officer" },
  });
  await waitFor(`${base}/healthz`);

  // A patient with an encounter, and a token for checks through the API.
  const patients = readFileSync(join(population, "Patient.ndjson"), "utf8").trim().split("\n").map(JSON.parse);
  const encounters = readFileSync(join(population, "Encounter.ndjson"), "utf8").trim().split("\n").map(JSON.parse);
  const withVisit = new Set(encounters.map((e) => String(e.subject?.reference).replace("Patient/", "")));
  const patient = patients.find((p) => withVisit.has(p.id) && p.name?.[0]?.family?.length >= 5);
  check(patient, "no generated patient with an encounter");
  const family = patient.name[0].family;
  const given = patient.name[0].given?.[0] ?? "";
  const login = await (
    await fetch(`${base}/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "tech", password, purpose: "HOPERAT" }),
    })
  ).json();
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  const page = await browser.newPage({ acceptDownloads: true });
  page.setDefaultTimeout(15000);

  step = "sign in";
  await page.goto(`${base}/`);
  await page.getByLabel("User name").fill("tech");
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").waitFor();
  await shot(page, "login");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
  check(await page.getByRole("link", { name: "Release of information" }).isVisible(), "no ROI link for a technician");

  step = "patient search with a typo, then the chart";
  await page.getByRole("link", { name: "Patients" }).click();
  // Two different neighbouring letters swapped: a typo the patient index forgives.
  const at = [...family].findIndex((c, i) => i > 0 && i + 1 < family.length && c !== family[i + 1]);
  const typo = family.slice(0, at) + family[at + 1] + family[at] + family.slice(at + 2);
  check(typo !== family, "no typo made");
  await page.getByLabel("Family name").fill(typo);
  await page.getByLabel("Birth date").fill(patient.birthDate);
  await page.getByRole("button", { name: "Search" }).click();
  const link = page.locator(`a[href="/patients/${patient.id}"]`);
  await link.waitFor();
  await shot(page, "patient-search");
  await link.click();
  await page.getByRole("heading", { level: 2, name: new RegExp(family) }).waitFor();
  await page.getByRole("heading", { name: /Encounters \([1-9]/ }).waitFor();
  check(!page.url().includes(family), "a name in the URL");
  await shot(page, "chart");

  step = "a duplicate pair compared side by side, merged and unmerged";
  const worklist = await (
    await fetch(`${base}/mpi/worklist`, { headers: { Authorization: `Bearer ${login.access_token}` } })
  ).json();
  check(worklist.pairs?.length > 0, "the generated population left no pair on the worklist");
  const pair = worklist.pairs[0];
  await page.getByRole("link", { name: "Duplicates" }).click();
  await page.getByRole("link", { name: `Compare Patient/${pair.first} with Patient/${pair.second}` }).click();
  await page.getByRole("table", { name: /Side by side/ }).waitFor();
  await shot(page, "duplicates");
  await page.getByRole("button", { name: "Same person: merge" }).click();
  await page.getByRole("status").filter({ hasText: `Merged Patient/${pair.second} into Patient/${pair.first}` }).waitFor();
  const merged = await (
    await fetch(`${base}/fhir/Patient/${pair.second}`, { headers: { Authorization: `Bearer ${login.access_token}` } })
  ).json();
  check(merged.active === false, "the merged record is still active");
  await page.getByRole("button", { name: "Undo the merge" }).click();
  await page.getByRole("status").filter({ hasText: "The merge was undone" }).waitFor();
  const restored = await (
    await fetch(`${base}/fhir/Patient/${pair.second}`, { headers: { Authorization: `Bearer ${login.access_token}` } })
  ).json();
  check(restored.active !== false, "the unmerged record is not active again");

  step = "coding a case from the queue to final";
  // A case whose encounter has a note, so that its codes are suggested from the text.
  const noted = new Set(
    readFileSync(join(population, "DocumentReference.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).context?.encounter?.[0]?.reference),
  );
  await page.getByRole("link", { name: "Coding" }).click();
  await page.getByRole("link", { name: /^Encounter\// }).first().waitFor();
  const caseNames = await page.getByRole("link", { name: /^Encounter\// }).allTextContents();
  const caseName = caseNames.find((n) => noted.has(n));
  check(caseName, "no case in the queue has a note");
  await page.getByRole("link", { name: caseName, exact: true }).click();
  await page.getByRole("region", { name: "Suggested codes" }).waitFor();
  check((await page.locator("pre.note mark").count()) > 0, "no supporting text is highlighted");
  await page.getByRole("button", { name: "Claim this case" }).click();
  await page.getByLabel("Words or code").fill("pneumonia unspecified organism");
  await page.getByRole("button", { name: "Search codes" }).click();
  await page.getByRole("button", { name: "J18.9", exact: true }).click();
  const lookup = page.getByRole("complementary", { name: "Code J18.9" });
  await lookup.getByText(/Diseases of the respiratory system/).waitFor();  // its chapter
  await lookup.getByText(/Excludes/i).first().waitFor();
  await shot(page, "code-lookup");
  await page.getByRole("button", { name: "Add J18.9" }).click();
  await page.getByText("No edits.").waitFor();
  await shot(page, "coding");
  await page.getByRole("button", { name: "Finalize" }).click();
  const final = await page.getByRole("status").filter({ hasText: "Final: the codes are on Claim/" }).textContent();
  const claimId = final.match(/Claim\/([^.\s]+)/)[1];
  const claim = await (
    await fetch(`${base}/fhir/Claim/${claimId}`, { headers: { Authorization: `Bearer ${login.access_token}` } })
  ).json();
  check(claim.diagnosis?.[0]?.diagnosisCodeableConcept?.coding?.[0]?.code === "J18.9", "the Claim lacks J18.9");
  check(claim.item?.[0]?.encounter?.[0]?.reference === caseName, "the Claim is not for the case coded");

  step = "release request taken in, authorized, fulfilled and downloaded";
  await page.getByRole("link", { name: "Release of information" }).click();
  await page.getByRole("link", { name: "New request" }).click();
  await page.getByLabel("Requester type").selectOption("attorney");
  await page.getByLabel("Requester name").fill("Casey Requester");
  await page.getByLabel("Organization").fill("Requester & Partners LLP");
  await page.getByLabel("Family name").fill(family);
  await page.getByLabel("Given name").fill(given);
  await page.getByLabel("Birth date").fill(patient.birthDate);
  await page.getByLabel(/^Patient id/).fill(patient.id);
  await page.getByLabel("Purpose").selectOption("legal");
  await page.getByLabel("Delivery").selectOption("mail");
  await page.getByRole("button", { name: "Record the request" }).click();
  await page.getByRole("heading", { name: /^Request R-/ }).waitFor();
  const requestId = (await page.getByRole("heading", { name: /^Request R-/ }).textContent()).replace("Request ", "");
  await page.getByText("pending-authorization").first().waitFor();
  const form = page.getByRole("form", { name: "Add an authorization" });
  await form.getByLabel("Information to be disclosed").fill("All records of 2024");
  await form.getByLabel("Who may disclose").fill("Chartroom General Hospital");
  await form.getByLabel("To whom").fill("Requester & Partners LLP");
  await form.getByLabel("Purpose").fill("Personal injury claim");
  await form.getByLabel("Expires on", { exact: true }).fill("2099-12-31");
  await form.getByLabel("Signed by").fill(`${given} ${family}`);
  await form.getByLabel("Signed on").fill(new Date().toISOString().slice(0, 10));
  for (const s of ["right to revoke", "non-conditioning of care", "possible redisclosure"]) {
    await form.getByLabel(`States the ${s}`).check();
  }
  await form.getByRole("button", { name: "Add the authorization" }).click();
  await page.getByRole("heading", { name: /Authorization 1 \(hipaa\): valid/ }).waitFor();
  await page.getByRole("button", { name: "Fulfil" }).click();
  await shot(page, "release");  // (headless Chromium draws no PDF in the preview frame)
  await page.getByRole("button", { name: "Preview packet" }).click();
  await page.getByTitle(`Packet ${requestId}`).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download packet (PDF)" }).click(),
  ]);
  const file = join(work, "packet.pdf");
  await download.saveAs(file);
  check(readFileSync(file).subarray(0, 5).toString() === "%PDF-", "the packet is not a PDF");
  const released = await (
    await fetch(`${base}/api/roi/requests/${requestId}`, { headers: { Authorization: `Bearer ${login.access_token}` } })
  ).json();
  check(released.status === "fulfilled" && released.release.fee_basis === "third-party", "not released as asked");

  step = "a patient's amendment request denied with its letter, and the accounting";
  const amendment = await fetch(`${base}/api/roi/amendments`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${login.access_token}` },
    body: JSON.stringify({
      patient: patient.id,
      requested_by: `${given} ${family}`,
      record: `Patient/${patient.id}`,
      reason: "My address is wrong",
      requested_change: "Use my new address",
    }),
  });
  if (amendment.status !== 201) throw new Error(`amendment answered ${amendment.status}`);
  const amendmentId = (await amendment.json()).id;
  await page.getByRole("link", { name: "Release of information" }).click();
  await page.getByLabel("Patient id").fill(patient.id);
  await page.getByRole("button", { name: "Disclosures and amendments" }).click();
  const deny = page.getByRole("form", { name: `Deny ${amendmentId}` });
  await deny.getByLabel("Explanation for the letter").fill("The address on file is the one you gave at registration.");
  await deny.getByRole("button", { name: "Deny" }).click();
  await page.getByRole("button", { name: "Denial letter (PDF)" }).waitFor();
  const [letter] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Denial letter (PDF)" }).click(),
  ]);
  const letterFile = join(work, "letter.pdf");
  await letter.saveAs(letterFile);
  check(readFileSync(letterFile).subarray(0, 5).toString() === "%PDF-", "the denial letter is not a PDF");
  await page.getByRole("region", { name: "Accounting of disclosures" }).getByRole("table").waitFor();
  await shot(page, "disclosures");

  step = "the HIM dashboard";
  await page.getByRole("link", { name: "Dashboard" }).click();
  await page.getByText(/released; median \d+ days/).waitFor();
  await page.getByRole("img", { name: /^Discharges by month/ }).waitFor();
  await shot(page, "dashboard");

  step = "sign out";
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("User name").waitFor();

  step = "a privacy officer signs in with a second factor and reads the access report";
  await page.getByLabel("User name").fill("priv");
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Purpose of use").selectOption("HOPERAT");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").waitFor();  // no code: refused
  await page.getByLabel(/Authenticator code/).fill(totp(otpauth));
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("link", { name: "Privacy" }).click();
  await page.getByLabel("Patient id").fill(patient.id);
  await page.getByRole("button", { name: "Show accesses" }).click();
  await page.getByRole("cell", { name: "roi fulfil" }).first().waitFor();
  // The audit search finds the sign-in refused for want of the second factor.
  await page.getByLabel("By user").fill("priv");
  await page.getByLabel("Outcome").selectOption("failure");
  await page.getByRole("button", { name: "Search the trail" }).click();
  await page.getByRole("region", { name: "Audit search" }).getByRole("cell", { name: "priv" }).first().waitFor();
  await shot(page, "privacy");
  await page.getByRole("button", { name: "Sign out" }).click();
  console.log("console end-to-end: 9 scenarios passed");
} catch (err) {
  console.error(`console end-to-end failed at "${step}": ${err.message}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  server?.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
