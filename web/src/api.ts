import { useEffect, useState } from "react";

// Calls to Chartroom's public HTTP API with the session's bearer token. A failure becomes an
// ApiError carrying the OperationOutcome's diagnostics and code, never a blank screen; a 401
// ends the session (the token expired or was revoked).

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

let token = "";
let onUnauthorized: () => void = () => {};

export function setToken(value: string, unauthorized: () => void): void {
  token = value;
  onUnauthorized = unauthorized;
}

async function failure(response: Response): Promise<ApiError> {
  let message = `The server answered ${response.status}.`;
  let code = "";
  try {
    const body = await response.json();
    const issue = body?.issue?.[0];
    if (issue?.diagnostics) message = issue.diagnostics;
    code = issue?.details?.coding?.[0]?.code ?? "";
  } catch {
    // not JSON: keep the status
  }
  return new ApiError(message, response.status, code);
}

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  if (init.body && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) {
    if (response.status === 401 && token) onUnauthorized();
    throw await failure(response);
  }
  return response;
}

export async function getJson<T = any>(path: string): Promise<T> {
  return (await request(path)).json();
}

export async function postJson<T = any>(path: string, body: unknown): Promise<T> {
  return (await request(path, { method: "POST", body: JSON.stringify(body) })).json();
}

// Saves a download (a packet PDF) under `filename` without putting anything in the URL.
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await request(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

// The JSON at `path` for a screen: null while it loads, with the error when it fails; loaded
// again when `path` or `reload` changes.
export function useJson<T = any>(path: string, reload = 0): { data: T | null; error: string } {
  const [state, setState] = useState<{ data: T | null; error: string }>({ data: null, error: "" });
  useEffect(() => {
    let live = true;
    setState({ data: null, error: "" });
    getJson<T>(path)
      .then((data) => live && setState({ data, error: "" }))
      .catch((e) => live && setState({ data: null, error: e instanceof Error ? e.message : String(e) }));
    return () => {
      live = false;
    };
  }, [path, reload]);
  return state;
}
