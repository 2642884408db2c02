#!/usr/bin/env python3
"""Drive a Grafana-compatible server with the grafana-client package.

Usage: check_grafana_client.py URL TOKEN
  URL    e.g. http://127.0.0.1:3000 (a sub-path needs a trailing slash:
         http://host/grafana/; append ?verify=false to skip TLS checks)
  TOKEN  service-account token, sent as "Authorization: Bearer TOKEN"

Expects the seed data: users alice (alice@example.com), bob (bob@example.com),
carol; teams sre (alice a member), incident-responders, dba; data sources
prom-prod/prod-metrics, loki-prod/prod-logs, es-prod/prod-elasticsearch,
pg-staging/staging-postgres (examples/grafana-fixture.yaml). Prints one line per check.
Exit 0: all passed, 1: a check failed, 2: grafana_client not importable.
"""
import sys

try:
    from grafana_client import GrafanaApi, TokenAuth
    from grafana_client.client import GrafanaBadInputError, GrafanaClientError
except ImportError as exc:
    print(f"grafana_client is not importable ({exc}); install with `pip install grafana-client`")
    sys.exit(2)

failures = 0


def check(name, fn):
    """Run fn(); it returns a short detail string or raises. Print PASS/FAIL."""
    global failures
    try:
        detail = fn()
        print(f"PASS {name}" + (f": {detail}" if detail else ""))
        return True
    except Exception as exc:  # noqa: BLE001 - report anything as a failed check
        failures += 1
        print(f"FAIL {name}: {type(exc).__name__}: {exc}")
        return False


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def expect_error(fn, cls, status, message):
    """fn() must raise grafana-client's cls with this status and body message."""
    try:
        result = fn()
    except cls as exc:
        body = exc.response if isinstance(exc.response, dict) else {}
        expect(exc.status_code == status, f"status {exc.status_code}, want {status}")
        expect(body.get("message") == message, f"body {exc.response!r}, want message {message!r}")
        return f"{cls.__name__} {status} {message!r}"
    raise AssertionError(f"no error, got {result!r}")


def main(url, token):
    api = GrafanaApi.from_url(url, credential=TokenAuth(token))
    state = {}

    # Health: /api/health directly, and grafana-client's own health.check(),
    # which reads buildInfo from /api/frontend/settings.
    def health():
        body = api.client.GET("/health")
        expect(isinstance(body, dict) and body.get("version"), f"no version in {body!r}")
        return f"/api/health version {body['version']}"

    def build_info():
        info = api.health.check()
        expect(isinstance(info, dict) and info.get("version"), f"no buildInfo.version in {info!r}")
        return f"/api/frontend/settings buildInfo.version {info['version']}"

    check("health", health)
    check("health.check (frontend/settings)", build_info)

    # Org users and e-mail lookup (an SA token cannot call /api/users/lookup).
    def org_users():
        users = api.organization.get_current_organization_users()
        by_login = {u.get("login"): u for u in users}
        expect("alice" in by_login, f"alice missing from {sorted(by_login)}")
        expect("bob" in by_login, f"bob missing from {sorted(by_login)}")
        state["users"] = by_login
        return f"{len(users)} users"

    def lookup_email():
        hits = api.client.GET("/org/users/lookup", params={"query": "alice@example.com", "limit": 10})
        logins = [h.get("login") for h in hits]
        expect("alice" in logins, f"/api/org/users/lookup gave {logins}")
        by_mail = [u for u in state["users"].values() if u.get("email") == "alice@example.com"]
        expect(len(by_mail) == 1 and by_mail[0]["login"] == "alice", f"org users by e-mail: {by_mail}")
        expect(hits[logins.index("alice")].get("userId") == by_mail[0].get("userId"), "userId differs")
        return f"userId {by_mail[0]['userId']}"

    if check("org users contain alice and bob", org_users):
        check("lookup alice@example.com", lookup_email)

    # Teams.
    def team_by_name():
        teams = api.teams.get_team_by_name("sre")
        expect(len(teams) == 1 and teams[0]["name"] == "sre", f"name=sre gave {teams}")
        found = [t["name"] for t in api.teams.search_teams("sre")]
        expect("sre" in found, f"query=sre gave {found}")
        state["team_id"] = teams[0]["id"]
        return f"id {state['team_id']}"

    def paging():
        paged = [t["name"] for t in api.teams.search_teams(perpage=1)]
        whole = [t["name"] for t in api.teams.search_teams()]
        expect(len(paged) == len(set(paged)), f"duplicates while paging: {paged}")
        expect(sorted(paged) == sorted(whole), f"perpage=1 {paged} != unpaged {whole}")
        expect({"sre", "incident-responders", "dba"} <= set(paged), f"seed teams missing: {paged}")
        return f"{len(paged)} teams"

    def get_team():
        team = api.teams.get_team(state["team_id"])
        expect(team.get("name") == "sre" and team.get("id") == state["team_id"], f"got {team}")
        return None

    def members():
        logins = [m.get("login") for m in api.teams.get_team_members(state["team_id"])]
        expect("alice" in logins, f"members {logins}")
        return f"{logins}"

    if check("team search name=sre finds one team", team_by_name):
        check("get team by id", get_team)
        check("list members of sre", members)
    check("team search paging perpage=1 walks all teams", paging)

    def membership():
        tid, bob = state["team_id"], state["users"]["bob"]["userId"]
        if any(m.get("userId") == bob for m in api.teams.get_team_members(tid)):
            api.teams.remove_team_member(tid, bob)  # leftover from an earlier run
        res = api.teams.add_team_member(tid, bob)
        expect(isinstance(res, dict) and res.get("message") == "Member added to Team", f"add gave {res!r}")
        check("add bob again -> 400", lambda: expect_error(lambda: api.teams.add_team_member(tid, bob),
              GrafanaBadInputError, 400, "User is already added to this team"))
        res = api.teams.remove_team_member(tid, bob)
        expect(isinstance(res, dict) and res.get("message") == "Team Member removed", f"remove gave {res!r}")
        check("remove bob again -> 404", lambda: expect_error(lambda: api.teams.remove_team_member(tid, bob),
              GrafanaClientError, 404, "Team member not found"))
        return None

    if "team_id" in state and "users" in state:
        check("add and remove bob in sre", membership)

    # Data sources.
    seeded = {"prom-prod": ("prod-metrics", "prometheus"), "loki-prod": ("prod-logs", "loki"),
              "es-prod": ("prod-elasticsearch", "elasticsearch"), "pg-staging": ("staging-postgres", "grafana-postgresql-datasource")}

    def ds_list():
        listed = {d["uid"]: (d["name"], d["type"]) for d in api.datasource.list_datasources()}
        for uid, want in seeded.items():
            expect(listed.get(uid) == want, f"{uid}: {listed.get(uid)} want {want}")
        return f"{len(listed)} data sources"

    def ds_uid():
        ds = api.datasource.get_datasource_by_uid("prom-prod")
        expect((ds.get("name"), ds.get("type")) == seeded["prom-prod"], f"got {ds}")
        return f"id {ds.get('id')}"

    def ds_name():
        ds = api.datasource.get_datasource_by_name("prod-metrics")
        expect(ds.get("uid") == "prom-prod", f"got {ds}")
        return None

    check("list data sources", ds_list)
    check("get data source by uid prom-prod", ds_uid)
    check("get data source by name prod-metrics", ds_name)
    check("unknown data source uid -> 404", lambda: expect_error(
        lambda: api.datasource.get_datasource_by_uid("no-such-uid"), GrafanaClientError, 404, "Data source not found"))

    print(f"{'FAILED' if failures else 'OK'}: {failures} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(1)
    sys.exit(main(sys.argv[1], sys.argv[2]))
