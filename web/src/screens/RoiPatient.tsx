import { FormEvent, useState } from "react";
import { download, postJson, useJson } from "../api";
import { navigate } from "../router";

// Finds a patient's accounting of disclosures and amendments by Patient id.
export function RoiPatientPicker() {
  const [id, setId] = useState("");
  function go(e: FormEvent) {
    e.preventDefault();
    if (id) navigate(`/roi/patients/${encodeURIComponent(id)}`);
  }
  return (
    <form className="inline" onSubmit={go} aria-label="A patient's disclosures and amendments">
      <label>
        Patient id
        <input value={id} onChange={(e) => setId(e.target.value)} required />
      </label>
      <button type="submit">Disclosures and amendments</button>
    </form>
  );
}

const GROUNDS: [string, string][] = [
  ["accurate-and-complete", "Accurate and complete"],
  ["not-created-here", "Not created here"],
  ["not-designated-record", "Not part of the designated record set"],
  ["not-accessible", "Not available for inspection"],
];

function Amendment({ a, onChanged }: { a: any; onChanged: () => void }) {
  const [ground, setGround] = useState(GROUNDS[0][0]);
  const [explanation, setExplanation] = useState("");
  const [error, setError] = useState("");
  async function deny(e: FormEvent) {
    e.preventDefault();
    try {
      await postJson(`/api/roi/amendments/${a.id}/deny`, { ground, explanation });
      onChanged();
    } catch (err) {
      setError(err instanceof Error ? err.message : "The denial failed.");
    }
  }
  return (
    <li>
      <strong>{a.id}</strong> on {a.record} (version {a.record_version}), received {a.received}, due{" "}
      {a.due}: <em>{a.status}</em>. “{a.reason}” — asks: “{a.requested_change}”.
      {a.status === "accepted" && ` Amended as version ${a.amended_version}.`}
      {(a.notify ?? []).length > 0 && (
        <> To tell: {a.notify.map((n: any) => `${n.who}${n.notified_on ? ` (told ${n.notified_on})` : ""}`).join("; ")}.</>
      )}
      {a.status === "denied" && (
        <>
          {" "}
          <button type="button" className="link" onClick={() => download(`/api/roi/amendments/${a.id}/letter`, `${a.id}-denial.pdf`).catch((e) => setError(e.message))}>
            Denial letter (PDF)
          </button>
          {a.disagreement && ` Statement of disagreement: ${a.disagreement}.`}
        </>
      )}
      {a.status === "received" && (
        <form className="inline" onSubmit={deny} aria-label={`Deny ${a.id}`}>
          <label>
            Ground
            <select value={ground} onChange={(e) => setGround(e.target.value)}>
              {GROUNDS.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <label>
            Explanation for the letter
            <input value={explanation} onChange={(e) => setExplanation(e.target.value)} required />
          </label>
          <button type="submit">Deny</button>
        </form>
      )}
      {error && <p role="alert" className="error">{error}</p>}
    </li>
  );
}

// A patient's accounting of disclosures (164.528) and amendment requests (164.526).
export function RoiPatient({ id }: { id: string }) {
  const accounting = useJson<{ disclosures?: any[] }>(`/api/roi/accounting/${encodeURIComponent(id)}`);
  const [version, setVersion] = useState(0);
  const amendments = useJson<{ amendments?: any[] }>(`/api/roi/amendments?patient=${encodeURIComponent(id)}`, version);
  return (
    <article aria-labelledby="roi-patient-title">
      <h2 id="roi-patient-title">Patient/{id}: disclosures and amendments</h2>
      <section aria-label="Accounting of disclosures">
        <h3>Accounting of disclosures (six years)</h3>
        {accounting.error && <p role="alert" className="error">{accounting.error}</p>}
        {!accounting.data && !accounting.error && <p aria-busy="true">Loading…</p>}
        {accounting.data && (
          <>
            <table>
              <caption>{(accounting.data.disclosures ?? []).length} disclosures the law asks us to account for</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Recipient</th>
                  <th scope="col">Information</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Request</th>
                </tr>
              </thead>
              <tbody>
                {(accounting.data.disclosures ?? []).map((d: any, i: number) => (
                  <tr key={i}>
                    <td>{d.date}</td>
                    <td>{d.recipient}</td>
                    <td>{d.description}</td>
                    <td>{d.purpose}</td>
                    <td>{d.request}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <button type="button" onClick={() => download(`/api/roi/accounting/${encodeURIComponent(id)}?format=pdf`, `accounting-${id}.pdf`)}>
              Download the accounting (PDF)
            </button>
          </>
        )}
      </section>
      <section aria-label="Amendments">
        <h3>Amendment requests</h3>
        {amendments.error && <p role="alert" className="error">{amendments.error}</p>}
        {amendments.data && (amendments.data.amendments ?? []).length === 0 && <p>None.</p>}
        <ul>
          {(amendments.data?.amendments ?? []).map((a: any) => (
            <Amendment key={a.id} a={a} onChanged={() => setVersion(version + 1)} />
          ))}
        </ul>
      </section>
    </article>
  );
}
