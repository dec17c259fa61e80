import { useEffect, useState } from "react";
import { download, getJson, postJson, request as call, useJson } from "../api";
import { navigate } from "../router";
import { AuthorizationForm } from "./RoiForms";
import { RoiPatientPicker } from "./RoiPatient";

interface QueueRow {
  id: string;
  requester: string;
  requester_name: string;
  purpose: string;
  basis: string;
  status: string;
  received: string;
  due: string;
  age_days: number;
  days_left: number;
  overdue: boolean;
}

// Open release requests, the earliest due first, with their age and days left.
export function RoiQueue() {
  const { data, error } = useJson<{ requests?: QueueRow[] }>("/api/roi/requests");
  const rows = data ? data.requests ?? [] : null;
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!rows) return <p aria-busy="true">Loading the queue…</p>;
  return (
    <section aria-labelledby="roi-title">
      <h2 id="roi-title">Release of information</h2>
      <p>
        <a
          href="/roi/new"
          onClick={(e) => {
            e.preventDefault();
            navigate("/roi/new");
          }}
        >
          New request
        </a>
      </p>
      <RoiPatientPicker />
      {rows.length === 0 ? (
        <p>No open requests.</p>
      ) : (
        <table>
          <caption>Open requests, the earliest due first</caption>
          <thead>
            <tr>
              <th scope="col">Request</th>
              <th scope="col">Requester</th>
              <th scope="col">Basis</th>
              <th scope="col">Status</th>
              <th scope="col">Age</th>
              <th scope="col">Due</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} className={r.overdue ? "overdue" : undefined}>
                <td>
                  <a
                    href={`/roi/${r.id}`}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/roi/${r.id}`);
                    }}
                  >
                    {r.id}
                  </a>
                </td>
                <td>
                  {r.requester_name} ({r.requester})
                </td>
                <td>{r.basis}</td>
                <td>{r.status}</td>
                <td>{r.age_days} days</td>
                <td>
                  {r.due} {r.overdue ? `(overdue ${-r.days_left} days)` : `(${r.days_left} days left)`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

// One request: its basis, the authorization checklists, fulfilment and the packet.
export function RoiRequest({ id }: { id: string }) {
  const [request, setRequest] = useState<any>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState("");
  useEffect(() => () => URL.revokeObjectURL(preview), [preview]);
  useEffect(() => {
    getJson(`/api/roi/requests/${encodeURIComponent(id)}`)
      .then(setRequest)
      .catch((e) => setError(e.message));
  }, [id]);

  async function fulfil() {
    setBusy(true);
    setError("");
    try {
      setRequest(await postJson(`/api/roi/requests/${encodeURIComponent(id)}/fulfil`, {}));
    } catch (e) {
      setError(e instanceof Error ? e.message : "Fulfilment failed.");
    } finally {
      setBusy(false);
    }
  }

  if (!request) return error ? <p role="alert" className="error">{error}</p> : <p aria-busy="true">Loading…</p>;
  const open = ["received", "pending-authorization", "in-review"].includes(request.status);
  return (
    <article aria-labelledby="request-title">
      <h2 id="request-title">Request {request.id}</h2>
      <dl className="demographics">
        <dt>Requester</dt>
        <dd>
          {request.requester?.name} ({request.requester?.type})
        </dd>
        <dt>Patient</dt>
        <dd>Patient/{request.patient}</dd>
        <dt>Basis</dt>
        <dd>
          {request.basis} ({request.basis_citation})
        </dd>
        <dt>Status</dt>
        <dd>{request.status}</dd>
        <dt>Received / due</dt>
        <dd>
          {request.received} / {request.due}
        </dd>
      </dl>
      {(request.checklists ?? []).map((c: any, i: number) => (
        <section key={i} aria-label={`Authorization ${i + 1} checklist`}>
          <h3>
            Authorization {i + 1} ({request.authorizations?.[i]?.kind}):{" "}
            {c.valid ? "valid" : c.expired ? "expired" : c.revoked ? "revoked" : "incomplete"}
          </h3>
          <ul className="checklist">
            {c.items.map((item: any) => (
              <li key={item.element} className={item.met ? "met" : "unmet"}>
                <span aria-hidden="true">{item.met ? "✓" : "✗"}</span> {item.label}{" "}
                <small>({item.citation})</small>
                <span className="visually-hidden">{item.met ? " met" : " missing"}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
      {error && <p role="alert" className="error">{error}</p>}
      {open && <AuthorizationForm id={request.id} onAdded={setRequest} />}
      {open && (
        <button type="button" onClick={fulfil} disabled={busy}>
          {busy ? "Releasing…" : "Fulfil"}
        </button>
      )}
      {request.release && (
        <section aria-label="Release">
          <h3>Released</h3>
          <p>
            {request.release.resources.length} records, {request.release.pages} pages, fee $
            {(request.release.fee_cents / 100).toFixed(2)} ({request.release.fee_basis}).
          </p>
          <button
            type="button"
            onClick={async () => {
              try {
                const blob = await (await call(`/api/roi/requests/${request.id}/packet?format=pdf`)).blob();
                setPreview(URL.createObjectURL(blob));
              } catch (e) {
                setError(e instanceof Error ? e.message : "The preview failed.");
              }
            }}
          >
            Preview packet
          </button>{" "}
          <button type="button" onClick={() => download(`/api/roi/requests/${request.id}/packet?format=pdf`, `${request.id}.pdf`).catch((e) => setError(e.message))}>
            Download packet (PDF)
          </button>{" "}
          <button type="button" onClick={() => download(`/api/roi/requests/${request.id}/packet?format=bundle`, `${request.id}.json`).catch((e) => setError(e.message))}>
            Download FHIR Bundle
          </button>
          {preview && <iframe className="preview" title={`Packet ${request.id}`} src={preview} />}
        </section>
      )}
    </article>
  );
}
