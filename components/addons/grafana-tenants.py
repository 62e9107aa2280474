"""Creates the teams' Grafana organizations and their data sources, and keeps them as desired.

Runs beside Grafana (a container of its pod, so it reaches it on localhost) as Grafana's server
admin, whose credentials come from the environment (GF_ADMIN_USER, GF_ADMIN_PASSWORD). Grafana
cannot provision organizations from files, and a provisioned data source of an organization that
does not exist stops Grafana from starting: so this does it through Grafana's HTTP API, every
INTERVAL seconds, from the desired state the program writes (STATE, a JSON file):

    {"orgs": [{"name": "payments", "datasources": [{"uid": "prometheus", ...}, ...]}]}

It creates what is missing and updates what differs; it never deletes an organization (a team
that leaves keeps its dashboards until someone deletes them). Only the Python standard library,
so any image with Python 3 runs it (the chart's k8s-sidecar image). --once runs one pass (tests).
"""

import base64
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

GRAFANA = os.environ.get("GRAFANA_URL", "http://localhost:3000").rstrip("/")
STATE = os.environ.get("STATE", "/etc/grafana-tenants/tenants.json")
INTERVAL = int(os.environ.get("INTERVAL", "60"))
USER = os.environ.get("GF_ADMIN_USER", "admin")
PASSWORD = os.environ.get("GF_ADMIN_PASSWORD", "")

# Fields of a data source this compares; secureJsonData is write-only in Grafana, so its hash
# is kept in jsonData to tell when it changed.
COMPARED = ("name", "type", "access", "url", "isDefault", "jsonData")
SECURE_HASH = "platformSecureJsonDataHash"


class APIError(Exception):
    pass


def call(method, path, body=None, org=None):
    """One API request as the server admin; returns (status, decoded JSON or None)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(GRAFANA + path, data=data, method=method)
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    req.add_header("Authorization", "Basic " + token)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if org is not None:
        req.add_header("X-Grafana-Org-Id", str(org))
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw) if raw else None
        except ValueError:
            return e.code, None


def expect(status, body, *ok):
    if status not in ok:
        raise APIError(f"HTTP {status}: {body}")


def org_id(name):
    """The organization's id, creating it (and the admin's membership) if missing."""
    status, body = call("GET", "/api/orgs/name/" + urllib.parse.quote(name, safe=""))
    if status == 200:
        oid = body["id"]
    else:
        expect(status, body, 404)
        status, body = call("POST", "/api/orgs", {"name": name})
        expect(status, body, 200)
        oid = body["orgId"]
        print(f"created organization {name} ({oid})", flush=True)
    # The admin must be a member to manage the organization's data sources.
    status, body = call("POST", f"/api/orgs/{oid}/users", {"loginOrEmail": USER, "role": "Admin"})
    expect(status, body, 200, 409)
    return oid


def desired(ds):
    """The data source as it is sent: secureJsonData's hash recorded in jsonData."""
    out = dict(ds)
    secure = ds.get("secureJsonData")
    if secure:
        digest = hashlib.sha256(json.dumps(secure, sort_keys=True).encode()).hexdigest()
        out["jsonData"] = dict(ds.get("jsonData", {}), **{SECURE_HASH: digest})
    return out


def differs(want, have):
    return any(want.get(k, have.get(k)) != have.get(k) for k in COMPARED)


def reconcile_datasource(oid, org, ds):
    want = desired(ds)
    uid = urllib.parse.quote(ds["uid"], safe="")
    status, have = call("GET", "/api/datasources/uid/" + uid, org=oid)
    if status == 404:
        status, body = call("POST", "/api/datasources", want, org=oid)
        expect(status, body, 200)
        print(f"{org}: created data source {ds['uid']}", flush=True)
        return 1
    expect(status, have, 200)
    if differs(want, have):
        status, body = call("PUT", "/api/datasources/uid/" + uid, want, org=oid)
        expect(status, body, 200)
        print(f"{org}: updated data source {ds['uid']}", flush=True)
        return 1
    return 0


def reconcile(state):
    """One pass over the desired state; returns how many writes it made."""
    writes = 0
    for org in state.get("orgs", []):
        oid = org_id(org["name"])
        for ds in org.get("datasources", []):
            writes += reconcile_datasource(oid, org["name"], ds)
    return writes


def healthy():
    try:
        status, _ = call("GET", "/api/health")
        return status == 200
    except OSError:
        return False


def main():
    once = "--once" in sys.argv[1:]
    while True:
        if healthy():
            try:
                with open(STATE) as f:
                    writes = reconcile(json.load(f))
                if once:
                    print(json.dumps({"writes": writes}), flush=True)
                    return 0
            except (APIError, OSError, ValueError, KeyError) as e:
                print(f"reconcile failed, retrying: {e}", file=sys.stderr, flush=True)
                if once:
                    return 1
        elif once:
            print("Grafana is not healthy", file=sys.stderr, flush=True)
            return 1
        time.sleep(INTERVAL)


if __name__ == "__main__":
    sys.exit(main())
