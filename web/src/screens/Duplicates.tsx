import { useEffect, useState } from "react";
import { getJson, postJson, useJson } from "../api";
import { shownIdentifier } from "../fhir";
import { navigate } from "../router";

interface Pair {
  first: string;
  second: string;
  score: number;
  status: string;
  weights: Record<string, number>;
}

// The duplicate worklist: pairs the patient index found, the most likely first.
export function Duplicates() {
  const { data, error } = useJson<{ pairs?: Pair[] }>("/mpi/worklist");
  const pairs = data ? data.pairs ?? [] : null;
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!pairs) return <p aria-busy="true">Loading the worklist…</p>;
  return (
    <section aria-labelledby="dup-title">
      <h2 id="dup-title">Possible duplicate patients ({pairs.length})</h2>
      {pairs.length === 0 ? (
        <p>No pairs to review.</p>
      ) : (
        <table>
          <caption>Pairs to review, the most likely first</caption>
          <thead>
            <tr>
              <th scope="col">Pair</th>
              <th scope="col">Match probability</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {pairs.map((p) => {
              const path = `/duplicates/${encodeURIComponent(p.first)}/${encodeURIComponent(p.second)}`;
              return (
                <tr key={`${p.first}|${p.second}`}>
                  <td>
                    <a
                      href={path}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(path);
                      }}
                    >
                      Compare Patient/{p.first} with Patient/{p.second}
                    </a>
                  </td>
                  <td>{(p.score * 100).toFixed(1)}%</td>
                  <td>{p.status}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

type Patient = Record<string, any>;

// The rows of the side-by-side comparison, each with the field the patient index weighed.
export function comparisonRows(a: Patient, b: Patient): { label: string; field: string; a: string; b: string }[] {
  const n = (p: Patient) => p.name?.[0] ?? {};
  const addr = (p: Patient) => p.address?.[0] ?? {};
  const phone = (p: Patient) => (p.telecom ?? []).find((t: any) => t.system === "phone")?.value ?? "";
  const ids = (p: Patient) =>
    (p.identifier ?? [])
      .map((i: any) => {
        const shown = shownIdentifier(i);
        return shown && String(i.system ?? "").endsWith("us-ssn") ? `SSN ${shown}` : shown;
      })
      .filter(Boolean)
      .join(", ");
  const row = (label: string, field: string, get: (p: Patient) => unknown) => ({
    label,
    field,
    a: String(get(a) ?? ""),
    b: String(get(b) ?? ""),
  });
  return [
    row("Family name", "family", (p) => n(p).family),
    row("Given name", "given", (p) => (n(p).given ?? [])[0]),
    row("Middle name", "middle", (p) => (n(p).given ?? []).slice(1).join(" ")),
    row("Birth date", "birth", (p) => p.birthDate),
    row("Sex", "sex", (p) => p.gender),
    row("Street", "street", (p) => (addr(p).line ?? []).join(", ")),
    row("City", "city", (p) => addr(p).city),
    row("Postal code", "postcode", (p) => addr(p).postalCode),
    row("Phone", "phone", phone),
    row("Identifiers", "identifier", ids),
  ];
}

// Two patients side by side, with the weight each field gave the match; merge (into the one
// kept), mark as different people, or undo a merge just made.
export function ComparePair({ first, second }: { first: string; second: string }) {
  const [a, setA] = useState<Patient | null>(null);
  const [b, setB] = useState<Patient | null>(null);
  const [pair, setPair] = useState<Pair | null>(null);
  const [keep, setKeep] = useState(first);
  const [merge, setMerge] = useState<string>("");
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    Promise.all([
      getJson(`/fhir/Patient/${encodeURIComponent(first)}`),
      getJson(`/fhir/Patient/${encodeURIComponent(second)}`),
      getJson("/mpi/worklist"),
    ])
      .then(([x, y, w]) => {
        setA(x);
        setB(y);
        setPair((w.pairs ?? []).find((p: Pair) => p.first === first && p.second === second) ?? null);
      })
      .catch((e) => setError(e.message));
  }, [first, second]);

  async function act(run: () => Promise<void>) {
    setBusy(true);
    setError("");
    try {
      await run();
    } catch (e) {
      setError(e instanceof Error ? e.message : "The action failed.");
    } finally {
      setBusy(false);
    }
  }

  if (error && !a) return <p role="alert" className="error">{error}</p>;
  if (!a || !b) return <p aria-busy="true">Loading the pair…</p>;
  const source = keep === first ? second : first;
  const weight = (field: string) => pair?.weights?.[field];
  return (
    <article aria-labelledby="pair-title">
      <h2 id="pair-title">
        Patient/{first} and Patient/{second}
      </h2>
      {pair && <p>Match probability {(pair.score * 100).toFixed(1)}% ({pair.status}).</p>}
      <table>
        <caption>Side by side, with each field's weight in the match</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Patient/{first}</th>
            <th scope="col">Patient/{second}</th>
            <th scope="col">Weight</th>
          </tr>
        </thead>
        <tbody>
          {comparisonRows(a, b).map((r) => {
            const w = weight(r.field);
            return (
              <tr key={r.label} className={r.a === r.b ? "agree" : "differ"}>
                <th scope="row">{r.label}</th>
                <td>{r.a}</td>
                <td>{r.b}</td>
                <td>{w === undefined ? "—" : `${w > 0 ? "+" : ""}${w.toFixed(1)}`}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {message && <p role="status">{message}</p>}
      {error && <p role="alert" className="error">{error}</p>}
      {!merge && (
        <fieldset>
          <legend>Keep which record?</legend>
          {[first, second].map((id) => (
            <label key={id} className="radio">
              <input type="radio" name="keep" value={id} checked={keep === id} onChange={() => setKeep(id)} />
              Patient/{id}
            </label>
          ))}
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              act(async () => {
                const record = await postJson("/mpi/merge", { source, target: keep });
                setMerge(String(record.id));
                setMessage(`Merged Patient/${source} into Patient/${keep}.`);
              })
            }
          >
            Same person: merge
          </button>{" "}
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              act(async () => {
                await postJson("/mpi/decisions", { first, second, decision: "different" });
                setMessage("Marked as different people.");
              })
            }
          >
            Different people
          </button>
        </fieldset>
      )}
      {merge && (
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            act(async () => {
              await postJson("/mpi/unmerge", { merge });
              setMerge("");
              setMessage("The merge was undone: both records are as they were.");
            })
          }
        >
          Undo the merge
        </button>
      )}
    </article>
  );
}
