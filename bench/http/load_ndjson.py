#!/usr/bin/env python3
"""Loads a directory of FHIR NDJSON files (chartroom generate's output) into a running Chartroom
server: transaction Bundles of PUT entries (the ids are kept), BATCH resources each. Prints one
JSON line with the resources loaded and the seconds it took.

    load_ndjson.py http://127.0.0.1:8080/fhir DIR [--batch 500]
"""
import json
import pathlib
import sys
import time
import urllib.request


def post(base, entries):
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": entries}
    request = urllib.request.Request(
        base, data=json.dumps(bundle).encode(), method="POST",
        headers={"Content-Type": "application/fhir+json", "Prefer": "return=minimal"})
    with urllib.request.urlopen(request) as response:
        if response.status != 200:
            raise SystemExit(f"load failed: HTTP {response.status}")


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    base, directory = sys.argv[1].rstrip("/"), pathlib.Path(sys.argv[2])
    batch = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--batch" else 500
    started, loaded, entries = time.time(), 0, []
    for path in sorted(directory.glob("*.ndjson")):
        if path.name == "phi-spans.ndjson":
            continue  # ground truth, not FHIR
        with path.open() as lines:
            for line in lines:
                resource = json.loads(line)
                entries.append({"resource": resource, "request": {
                    "method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}})
                if len(entries) == batch:
                    post(base, entries)
                    loaded, entries = loaded + len(entries), []
    if entries:
        post(base, entries)
        loaded += len(entries)
    print(json.dumps({"resources": loaded, "seconds": round(time.time() - started, 2)}))


if __name__ == "__main__":
    main()
