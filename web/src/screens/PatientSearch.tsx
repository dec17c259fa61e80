import { FormEvent, useState } from "react";
import { postJson } from "../api";
import { navigate } from "../router";

export interface Candidate {
  id: string;
  name: string;
  birthDate: string;
  gender: string;
  score: number;
  grade: string;
}

// The patient index's answer (Patient/$match) as rows, the most likely first.
export function candidatesOf(bundle: any): Candidate[] {
  return (bundle?.entry ?? []).map((e: any) => {
    const p = e.resource ?? {};
    const n = p.name?.[0] ?? {};
    const grade =
      e.search?.extension?.find((x: any) => String(x.url).endsWith("match-grade"))?.valueCode ?? "";
    return {
      id: String(p.id ?? ""),
      name: [n.family, (n.given ?? []).join(" ")].filter(Boolean).join(", "),
      birthDate: String(p.birthDate ?? ""),
      gender: String(p.gender ?? ""),
      score: Number(e.search?.score ?? 0),
      grade: String(grade),
    };
  });
}

// Finds patients through the patient index: typos, nicknames and swapped names still match.
export function PatientSearch() {
  const [family, setFamily] = useState("");
  const [given, setGiven] = useState("");
  const [birthDate, setBirthDate] = useState("");
  const [results, setResults] = useState<Candidate[] | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function search(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const patient: any = { resourceType: "Patient", name: [given ? { family, given: [given] } : { family }] };
      if (birthDate) patient.birthDate = birthDate;
      const bundle = await postJson("/fhir/Patient/$match", {
        resourceType: "Parameters",
        parameter: [
          { name: "resource", resource: patient },
          { name: "count", valueInteger: 20 },
        ],
      });
      setResults(candidatesOf(bundle));
    } catch (err) {
      setError(err instanceof Error ? err.message : "The search failed.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="search-title">
      <h2 id="search-title">Find a patient</h2>
      <form className="inline" onSubmit={search}>
        <label>
          Family name
          <input name="family" value={family} onChange={(e) => setFamily(e.target.value)} required />
        </label>
        <label>
          Given name
          <input name="given" value={given} onChange={(e) => setGiven(e.target.value)} />
        </label>
        <label>
          Birth date
          <input name="birthDate" type="date" value={birthDate} onChange={(e) => setBirthDate(e.target.value)} />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? "Searching…" : "Search"}
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {results && results.length === 0 && <p>No patient matches.</p>}
      {results && results.length > 0 && (
        <table>
          <caption>Patients, the most likely first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Born</th>
              <th scope="col">Sex</th>
              <th scope="col">Match</th>
            </tr>
          </thead>
          <tbody>
            {results.map((c) => (
              <tr key={c.id}>
                <td>
                  <a
                    href={`/patients/${encodeURIComponent(c.id)}`}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/patients/${encodeURIComponent(c.id)}`);
                    }}
                  >
                    {c.name || "(no name)"}
                  </a>
                </td>
                <td>{c.birthDate}</td>
                <td>{c.gender}</td>
                <td>
                  {c.grade} ({Math.round(c.score * 100)}%)
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
