import { FormEvent, useEffect, useState } from "react";
import { getJson, postJson } from "../api";

export interface AccessRow {
  when: string;
  user: string;
  action: string;
  purpose: string;
  outcome: string;
  what: string;
  detail: string;
}

// The DICOM event codes the trail uses for sign-in and sign-out.
const DICOM: Record<string, string> = { "110122": "sign-in", "110123": "sign-out" };

// An access report (a Bundle of AuditEvents) as rows, the latest first.
export function accessRows(bundle: any): AccessRow[] {
  return (bundle?.entry ?? [])
    .map((e: any) => {
      const a = e.resource ?? {};
      const entities: any[] = a.entity ?? [];
      return {
        when: String(a.recorded ?? "").replace("T", " ").slice(0, 19),
        user: String(a.agent?.[0]?.who?.identifier?.value ?? ""),
        action: DICOM[String(a.subtype?.[0]?.code)] ?? String(a.subtype?.[0]?.code ?? a.action ?? ""),
        purpose: String(a.purposeOfEvent?.[0]?.coding?.[0]?.code ?? ""),
        outcome: a.outcome === "0" ? "success" : String(a.outcomeDesc ?? "failed"),
        what: entities
          .map((x) => x.what?.reference)
          .filter(Boolean)
          .slice(0, 4)
          .join(", "),
        detail: String(entities.find((x) => x.description)?.description ?? ""),
      };
    })
    .sort((x: AccessRow, y: AccessRow) => y.when.localeCompare(x.when));
}

function AccessTable({ rows }: { rows: AccessRow[] }) {
  return (
    <table>
      <caption>
        {rows.length} {rows.length === 1 ? "entry" : "entries"}, the latest first
      </caption>
      <thead>
        <tr>
          <th scope="col">When (UTC)</th>
          <th scope="col">User</th>
          <th scope="col">Action</th>
          <th scope="col">Purpose</th>
          <th scope="col">Outcome</th>
          <th scope="col">Records</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i} className={r.outcome === "success" ? undefined : "overdue"}>
            <td>{r.when}</td>
            <td>{r.user}</td>
            <td>{r.action}</td>
            <td>{r.purpose}</td>
            <td>{r.outcome}</td>
            <td>{r.what}</td>
            <td>{r.detail}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// The trail searched by any of user, patient, period, outcome and operation.
function AuditSearch() {
  const [q, setQ] = useState({ user: "", patient: "", since: "", until: "", outcome: "", detail: "" });
  const [rows, setRows] = useState<AccessRow[] | null>(null);
  const [error, setError] = useState("");
  const set = (k: keyof typeof q) => (e: { target: { value: string } }) => setQ({ ...q, [k]: e.target.value });
  async function run(e: FormEvent) {
    e.preventDefault();
    setError("");
    const params = new URLSearchParams(Object.entries(q).filter(([, v]) => v));
    try {
      setRows(accessRows(await getJson(`/privacy/audit?${params}`)));
    } catch (err) {
      setError(err instanceof Error ? err.message : "The search failed.");
    }
  }
  return (
    <section aria-labelledby="audit-title">
      <h3 id="audit-title">Audit search</h3>
      <form className="inline" onSubmit={run}>
        <label>
          By user
          <input value={q.user} onChange={set("user")} />
        </label>
        <label>
          About patient (id)
          <input value={q.patient} onChange={set("patient")} />
        </label>
        <label>
          From
          <input type="date" value={q.since} onChange={set("since")} />
        </label>
        <label>
          To
          <input type="date" value={q.until} onChange={set("until")} />
        </label>
        <label>
          Outcome
          <select value={q.outcome} onChange={set("outcome")}>
            <option value="">any</option>
            <option value="success">success</option>
            <option value="failure">failure</option>
          </select>
        </label>
        <label>
          Operation
          <input value={q.detail} onChange={set("detail")} placeholder="roi fulfil" />
        </label>
        <button type="submit">Search the trail</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {rows && <AccessTable rows={rows} />}
    </section>
  );
}

function AccessReport() {
  const [by, setBy] = useState<"patient" | "user">("patient");
  const [value, setValue] = useState("");
  const [rows, setRows] = useState<AccessRow[] | null>(null);
  const [error, setError] = useState("");
  async function run(e: FormEvent) {
    e.preventDefault();
    setError("");
    try {
      setRows(accessRows(await getJson(`/privacy/access-report?${by}=${encodeURIComponent(value)}`)));
    } catch (err) {
      setError(err instanceof Error ? err.message : "The report failed.");
    }
  }
  return (
    <section aria-labelledby="report-title">
      <h3 id="report-title">Access report</h3>
      <form className="inline" onSubmit={run}>
        <label>
          Report on
          <select value={by} onChange={(e) => setBy(e.target.value as "patient" | "user")}>
            <option value="patient">a patient (id)</option>
            <option value="user">a user (name)</option>
          </select>
        </label>
        <label>
          {by === "patient" ? "Patient id" : "User name"}
          <input name="subject" value={value} onChange={(e) => setValue(e.target.value)} required />
        </label>
        <button type="submit">Show accesses</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {rows && <AccessTable rows={rows} />}
    </section>
  );
}

interface Reviewable {
  id: string;
  user: string;
  patient: string;
  decision: string;
  reason?: string;
  rule?: string;
  detail?: string;
  started?: string;
  time?: string;
}

// A queue of things a privacy officer decides: break-the-glass grants, monitoring flags.
function ReviewQueue({ title, list, field, decide }: { title: string; list: string; field: string; decide: string }) {
  const [items, setItems] = useState<Reviewable[] | null>(null);
  const [error, setError] = useState("");
  const load = () =>
    getJson(list)
      .then((b) => setItems(b[field] ?? []))
      .catch((e) => setError(e.message));
  useEffect(() => {
    load();
  }, [list]);
  async function review(id: string, decision: string) {
    try {
      await postJson(`${decide}${encodeURIComponent(id)}`, { decision, note: "" });
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : "The decision failed.");
    }
  }
  return (
    <section aria-label={title}>
      <h3>
        {title} ({items?.length ?? "…"})
      </h3>
      {error && <p role="alert" className="error">{error}</p>}
      {items && items.length === 0 && <p>Nothing waiting for review.</p>}
      {items && items.length > 0 && (
        <ul>
          {items.map((g) => (
            <li key={g.id}>
              {(g.started ?? g.time ?? "").replace("T", " ").slice(0, 16)} — {g.user} on Patient/{g.patient}
              {g.rule ? ` (${g.rule})` : ""}: {g.reason ?? g.detail ?? ""}{" "}
              <button type="button" className="link" onClick={() => review(g.id, "appropriate")}>
                Appropriate
              </button>
              <button type="button" className="link" onClick={() => review(g.id, "inappropriate")}>
                Inappropriate
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

// The privacy officer's screen: access reports by patient or user, the audit search, the
// break-the-glass review queue and the monitoring flags.
export function Privacy() {
  return (
    <section aria-labelledby="privacy-title">
      <h2 id="privacy-title">Privacy</h2>
      <AccessReport />
      <AuditSearch />
      <ReviewQueue title="Break-the-glass to review" list="/privacy/break-glass" field="grants" decide="/privacy/break-glass/" />
      <ReviewQueue title="Monitoring flags to review" list="/privacy/reviews" field="reviews" decide="/privacy/reviews/" />
    </section>
  );
}
