import { Fragment, ReactNode, useEffect, useState } from "react";
import { getJson, postJson, request, useJson } from "../api";
import { decodeText } from "../fhir";
import { navigate } from "../router";

interface QueueCase {
  encounter: string;
  patient: string;
  class: string;
  discharged: string;
  age_days: number;
  status: string;
  coder?: string;
}

// The DNFB queue: finished encounters not yet final-coded, the oldest discharge first.
export function CodingQueue() {
  const { data, error } = useJson<{ cases?: QueueCase[] }>("/api/coding/queue?count=100");
  const cases = data ? data.cases ?? [] : null;
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!cases) return <p aria-busy="true">Loading the queue…</p>;
  return (
    <section aria-labelledby="coding-title">
      <h2 id="coding-title">Coding: discharged, not final-coded ({cases.length})</h2>
      <table>
        <caption>Cases, the oldest discharge first</caption>
        <thead>
          <tr>
            <th scope="col">Encounter</th>
            <th scope="col">Class</th>
            <th scope="col">Discharged</th>
            <th scope="col">Age</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {cases.map((c) => (
            <tr key={c.encounter}>
              <td>
                <a
                  href={`/coding/${c.encounter}`}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(`/coding/${encodeURIComponent(c.encounter)}`);
                  }}
                >
                  Encounter/{c.encounter}
                </a>
              </td>
              <td>{c.class}</td>
              <td>{c.discharged.slice(0, 10)}</td>
              <td>{c.age_days} days</td>
              <td>
                {c.status}
                {c.coder ? ` (${c.coder})` : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

interface Item {
  code: string;
  poa?: string;
}

interface Suggestion {
  code: string;
  title: string;
  confidence: number;
  span: { begin: number; end: number; text: string };
  negated?: boolean;
  history?: boolean;
}

// `text` with the suggestions' supporting spans marked.
export function Highlighted({ text, spans }: { text: string; spans: { begin: number; end: number }[] }) {
  const sorted = [...spans].sort((a, b) => a.begin - b.begin);
  const parts: ReactNode[] = [];
  let at = 0;
  sorted.forEach((s, i) => {
    if (s.begin < at || s.end > text.length) return;
    parts.push(<Fragment key={`t${i}`}>{text.slice(at, s.begin)}</Fragment>);
    parts.push(<mark key={`m${i}`}>{text.slice(s.begin, s.end)}</mark>);
    at = s.end;
  });
  parts.push(<Fragment key="rest">{text.slice(at)}</Fragment>);
  return <pre className="note">{parts}</pre>;
}

const SYSTEMS: Record<string, string> = {
  "http://hl7.org/fhir/sid/icd-10-cm": "icd10cm",
  "http://www.cms.gov/Medicare/Coding/ICD10": "icd10pcs",
  "urn:oid:2.16.840.1.113883.6.285": "hcpcs",
  "http://www.ama-assn.org/go/cpt": "cpt",
};

// A code with its place in the classification, its billable flag and validity, and the notes
// it carries or inherits (includes, excludes, code first, use additional code ...).
export function CodeDetail({ system, code, onClose }: { system: string; code: string; onClose: () => void }) {
  const { data: c, error } = useJson(`/api/codes/${SYSTEMS[system] ?? system}/${encodeURIComponent(code)}`);
  return (
    <aside aria-label={`Code ${code}`} className="code-detail">
      <button type="button" className="link" onClick={onClose}>
        Close
      </button>
      {error && <p role="alert" className="error">{error}</p>}
      {!c && !error && <p aria-busy="true">Loading {code}…</p>}
      {c && (
        <>
          <h3>
            {c.code} {c.title}
          </h3>
          <p>
            {c.billable ? "Billable" : "Not billable (a header)"}; valid from {c.valid_from}
            {c.valid_to ? ` to ${c.valid_to}` : ""}.
          </p>
          <ol className="lineage" aria-label="In the classification">
            {[...(c.ancestors ?? [])].reverse().map((a: any) => (
              <li key={a.code}>
                {a.code} {a.title}
              </li>
            ))}
          </ol>
          {(c.notes ?? []).length > 0 && (
            <dl className="notes">
              {c.notes.map((n: any, i: number) => (
                <Fragment key={i}>
                  <dt>
                    {n.kind}
                    {n.from ? ` (from ${n.from})` : ""}
                  </dt>
                  <dd>{n.text}</dd>
                </Fragment>
              ))}
            </dl>
          )}
          {(c.children ?? []).length > 0 && (
            <p>
              Below it: {c.children.map((k: any) => `${k.code} ${k.title}`).join("; ")}
            </p>
          )}
        </>
      )}
    </aside>
  );
}

// One case: the encounter's documentation with suggested codes and their supporting text, code
// search, the codes with POA indicators, the edits on every change, and finalization.
export function CodingCase({ encounter }: { encounter: string }) {
  const [kase, setCase] = useState<any>(null);
  const [diagnoses, setDiagnoses] = useState<Item[]>([]);
  const [procedures, setProcedures] = useState<Item[]>([]);
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<any[]>([]);
  const [note, setNote] = useState("");
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [error, setError] = useState("");
  const [message, setMessage] = useState("");
  const [detail, setDetail] = useState<{ system: string; code: string } | null>(null);
  const path = `/api/coding/cases/${encodeURIComponent(encounter)}`;

  useEffect(() => {
    getJson(path)
      .then((c) => {
        setCase(c);
        setDiagnoses(c.diagnoses ?? []);
        setProcedures(c.procedures ?? []);

      })
      .catch((e) => setError(e.message));
    getJson(`/fhir/DocumentReference?encounter=Encounter/${encodeURIComponent(encounter)}&_count=20`)
      .then(async (b) => {
        const text = (b.entry ?? [])
          .flatMap((e: any) => e.resource?.content ?? [])
          .map((c: any) => c.attachment)
          .filter((a: any) => a?.data && String(a.contentType ?? "").startsWith("text/"))
          .map((a: any) => decodeText(a.data))
          .join("\n\n");
        setNote(text);
        if (text) setSuggestions((await postJson("/api/coding/suggest", { text })).suggestions ?? []);
      })
      .catch(() => setNote(""));
  }, [encounter]);

  // Every change is saved; the answer carries the edits.
  async function save(dx: Item[], px: Item[]) {
    setDiagnoses(dx);
    setProcedures(px);
    setError("");
    try {
      const response = await request(path, { method: "PUT", body: JSON.stringify({ diagnoses: dx, procedures: px }) });
      setCase(await response.json());
    } catch (e) {
      setError(e instanceof Error ? e.message : "Saving failed.");
    }
  }

  async function search() {
    setError("");
    try {
      setResults((await getJson(`/api/codes/search?q=${encodeURIComponent(query)}&count=8`)).results ?? []);
    } catch (e) {
      setError(e instanceof Error ? e.message : "The search failed.");
    }
  }

  function add(code: string, system: string) {
    if (system.includes("icd-10-cm")) {
      if (!diagnoses.some((d) => d.code === code)) save([...diagnoses, { code, poa: "Y" }], procedures);
    } else if (!procedures.some((p) => p.code === code)) {
      save(diagnoses, [...procedures, { code }]);
    }
  }

  if (!kase) return error ? <p role="alert" className="error">{error}</p> : <p aria-busy="true">Loading the case…</p>;
  const final = kase.status === "final";
  const edits: any[] = kase.edits ?? [];
  return (
    <article aria-labelledby="case-title" className="coding">
      <h2 id="case-title">Encounter/{encounter}</h2>
      <p>
        Patient/{kase.patient} — {kase.status}
        {kase.coder ? `, coder ${kase.coder}` : ""}
        {kase.claim ? `, Claim/${kase.claim}` : ""}
      </p>
      {message && <p role="status">{message}</p>}
      {error && <p role="alert" className="error">{error}</p>}
      {!final && kase.status !== "in-progress" && (
        <button
          type="button"
          onClick={async () => {
            try {
              setCase(await postJson(`${path}/claim`, {}));
            } catch (e) {
              setError(e instanceof Error ? e.message : "The case could not be claimed.");
            }
          }}
        >
          Claim this case
        </button>
      )}
      <section aria-label="Documentation">
        <h3>Documentation</h3>
        {note ? (
          <Highlighted text={note} spans={suggestions.map((s) => s.span)} />
        ) : (
          <p>No text documentation for this encounter.</p>
        )}
      </section>
      {suggestions.length > 0 && (
        <section aria-label="Suggested codes">
          <h3>Suggested codes</h3>
          <ul>
            {suggestions.map((s, i) => (
              <li key={i}>
                <strong>{s.code}</strong> {s.title} — “{s.span.text}” ({Math.round(s.confidence * 100)}%)
                {s.negated ? ", negated" : ""}
                {s.history ? ", history" : ""}{" "}
                {!final && (
                  <button type="button" className="link" onClick={() => add(s.code, "icd-10-cm")}>
                    Add {s.code}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {!final && (
        <section aria-label="Code search">
          <h3>Code search</h3>
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              search();
            }}
          >
            <label>
              Words or code
              <input name="q" value={query} onChange={(e) => setQuery(e.target.value)} required />
            </label>
            <button type="submit">Search codes</button>
          </form>
          <ul>
            {results.map((r) => (
              <li key={`${r.system}|${r.code}`}>
                <button type="button" className="link" onClick={() => setDetail({ system: r.system, code: r.code })}>
                  {r.code}
                </button>{" "}
                {r.title} {r.billable ? "" : "(header, not billable)"}{" "}
                <button type="button" className="link" onClick={() => add(r.code, r.system)}>
                  Add {r.code}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {detail && <CodeDetail system={detail.system} code={detail.code} onClose={() => setDetail(null)} />}
      <section aria-label="Codes">
        <h3>Diagnoses (the first is principal)</h3>
        <ol>
          {diagnoses.map((d, i) => (
            <li key={d.code}>
              {d.code}{" "}
              <label className="radio">
                POA
                <select
                  aria-label={`Present on admission for ${d.code}`}
                  value={d.poa ?? ""}
                  disabled={final}
                  onChange={(e) =>
                    save(
                      diagnoses.map((x, j) => (j === i ? { ...x, poa: e.target.value } : x)),
                      procedures,
                    )
                  }
                >
                  {["Y", "N", "U", "W", "1", ""].map((v) => (
                    <option key={v} value={v}>
                      {v || "blank"}
                    </option>
                  ))}
                </select>
              </label>{" "}
              {!final && (
                <button type="button" className="link" onClick={() => save(diagnoses.filter((_, j) => j !== i), procedures)}>
                  Remove {d.code}
                </button>
              )}
            </li>
          ))}
        </ol>
        <h3>Procedures</h3>
        <ol>
          {procedures.map((p, i) => (
            <li key={p.code}>
              {p.code}{" "}
              {!final && (
                <button type="button" className="link" onClick={() => save(diagnoses, procedures.filter((_, j) => j !== i))}>
                  Remove {p.code}
                </button>
              )}
            </li>
          ))}
        </ol>
      </section>
      <section aria-label="Edits" aria-live="polite">
        <h3>Edits ({edits.length})</h3>
        {edits.length === 0 ? (
          <p>No edits.</p>
        ) : (
          <ul>
            {edits.map((e, i) => (
              <li key={i} className={e.severity}>
                {e.severity}: {e.message} <small>({e.code}, {e.target})</small>
              </li>
            ))}
          </ul>
        )}
      </section>
      {!final && (
        <button
          type="button"
          disabled={diagnoses.length === 0 || edits.some((e) => e.severity === "error")}
          onClick={async () => {
            try {
              const done = await postJson(`${path}/finalize`, {});
              setCase(done);
              setMessage(`Final: the codes are on Claim/${done.claim}.`);
            } catch (e) {
              setError(e instanceof Error ? e.message : "Finalizing failed.");
            }
          }}
        >
          Finalize
        </button>
      )}
    </article>
  );
}
