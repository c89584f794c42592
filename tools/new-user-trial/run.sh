#!/usr/bin/env bash
# The new-user trial of issue 23, repeatable: pack this repository's packages as README.md says, write a new app and
# its tests outside the repository from the files beside this script (written from the package readmes alone), add
# the packages as the readmes say, then check as Scenario would that the app works, and that its tests, run with a
# "production" connection string in the environment, leave that database untouched. Any warning fails the trial.
#
#   bash tools/new-user-trial/run.sh          # about 4 minutes once the NuGet packages are cached
#
# Needs: the .NET 10 SDK, NuGet reachable, curl, PostgreSQL's server binaries (Debian's postgresql package: a
# throwaway server is started in a temporary folder on a free loopback port). Scenario is our published stand-in
# (ScenarioStandIn, from the packed Scenario.Receiver.Testing) in a small console host, standin/Program.cs.
# Not part of .ci/run: it packs in Release and restores from NuGet. KEEP=1 keeps the work folder (and prints it); TRIAL_PACKAGES=<folder> takes the
# packages from a folder packed before instead of packing. Stops only what it started.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$(mktemp -d /tmp/scenario-new-user-XXXXXX)"
chmod 755 "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# A package cache of the trial's own: the machine's may hold an older build of the same version (NuGet never replaces
# one), and a fresh one is what a new user has. Kept between runs for the third-party packages; ours are removed.
export NUGET_PACKAGES="${TRIAL_NUGET_PACKAGES:-$HOME/.cache/scenario-new-user-trial/nuget}"
mkdir -p "$NUGET_PACKAGES"
rm -rf "$NUGET_PACKAGES"/scenario.receiver*

pids=()
pg_ctl="" pg_data=""
as_postgres=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ -n "$pg_ctl" ]]; then "${as_postgres[@]}" "$pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true; fi
    if [[ "${KEEP:-}" == 1 ]]; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
fail() { echo "TRIAL FAILED: $*" >&2; exit 1; }
free_port() { # a loopback port nothing listens on (a refused connection), above the well-known ones
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
    done
}
no_warnings() { if grep -qE ': warning [A-Z]+[0-9]+' "$1"; then grep -E ': warning [A-Z]+[0-9]+' "$1" | sort -u >&2; fail "$2 warned (see above)"; fi; }

step "pack, as README.md's Install says"
if [[ -n "${TRIAL_PACKAGES:-}" ]]; then
    cp -r "$TRIAL_PACKAGES" "$work/artifacts"   # packed already (by an earlier run with KEEP=1): a quicker rerun
else
    (cd "$repo" && dotnet pack Scenario.Receiver.sln -c Release -o "$work/artifacts") > "$work/pack.log" 2>&1 || { tail -30 "$work/pack.log"; fail "dotnet pack"; }
    no_warnings "$work/pack.log" "dotnet pack"
fi
ls "$work/artifacts"
[[ $(ls "$work/artifacts"/*.nupkg | wc -l) == 4 ]] || fail "expected four packages"
if unzip -p "$work/artifacts/Scenario.Receiver.0.1.0.nupkg" '*.nuspec' | grep -qi npgsql; then fail "the core package depends on Npgsql"; fi
SCENARIO_PACKAGES="$work/artifacts"

step "a throwaway PostgreSQL: databases 'jobs' (the app's) and 'production' (the tests must not touch it)"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[[ -x "$pg_bin/initdb" ]] || fail "PostgreSQL's server binaries are not installed (apt-get install postgresql)"
pg_ctl="$pg_bin/pg_ctl" pg_data="$work/pg/data" pg_port="$(free_port)"
mkdir -p "$work/pg/socket"
if [[ $(id -u) == 0 ]]; then chown -R postgres: "$work/pg"; as_postgres=(runuser -u postgres --); else as_postgres=(env); fi
"${as_postgres[@]}" "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust --encoding=UTF8 --no-locale --no-sync >/dev/null
"${as_postgres[@]}" "$pg_ctl" -D "$pg_data" -l "$work/pg/server.log" -w \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/pg/socket -c fsync=off" start >/dev/null
psql_() { "${as_postgres[@]}" psql -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -At "$@"; }
psql_ -c "create database jobs" -c "create database production" >/dev/null
production="Host=127.0.0.1;Port=$pg_port;Database=production;Username=postgres"

step "a new app and its test project, outside the repository, the packages added as the readmes say"
cd "$work"
dotnet new sln -n PricingService >/dev/null
dotnet new web -n PricingService -o PricingService >/dev/null
dotnet new xunit -n PricingService.Tests -o PricingService.Tests >/dev/null
# README.md: a nuget.config in the solution's folder that adds the packed folder as a source.
test -f nuget.config || printf '<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <packageSources />\n</configuration>\n' > nuget.config
dotnet nuget add source "$SCENARIO_PACKAGES" --name scenario-local --configfile nuget.config >/dev/null
add() { (cd "$1" && shift && dotnet add package "$@" > "$work/add.log" 2>&1) || { cat "$work/add.log"; fail "dotnet add package $*"; }; }

step "Scenario: our published stand-in (ScenarioStandIn from the packed Scenario.Receiver.Testing) in a console host"
dotnet new console -n ScenarioStandInHost -o ScenarioStandInHost >/dev/null
add ScenarioStandInHost Scenario.Receiver.Testing
cp "$here/standin/Program.cs" ScenarioStandInHost/
dotnet build ScenarioStandInHost > "$work/standin-build.log" 2>&1 || { grep -E 'error' "$work/standin-build.log" | sort -u; fail "building the stand-in's host"; }
no_warnings "$work/standin-build.log" "building the stand-in's host"
scenario_port="$(free_port)" token="worker-token-$RANDOM$RANDOM"
(exec dotnet ScenarioStandInHost/bin/Debug/net10.0/ScenarioStandInHost.dll "$scenario_port" "$work/scenario.log" "$token") > "$work/standin.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$scenario_port/taskstatus/api/ServiceStatus" && break; sleep 0.5; done
curl -sf -o /dev/null "http://127.0.0.1:$scenario_port/taskstatus/api/ServiceStatus" || { cat "$work/standin.log"; fail "the Scenario stand-in did not start"; }

add PricingService Scenario.Receiver --version 0.1.0              # README.md's local-package steps
add PricingService Scenario.Receiver.PostgreSql                   # Scenario.Receiver.PostgreSql's readme
add PricingService Hangfire.AspNetCore
add PricingService Hangfire.PostgreSql
add PricingService Scenario.Receiver.OpenTelemetry                # Scenario.Receiver.OpenTelemetry's readme
add PricingService OpenTelemetry.Extensions.Hosting
add PricingService OpenTelemetry.Instrumentation.AspNetCore       # its readme: the request activity is the task's parent
add PricingService OpenTelemetry.Exporter.Console                 # an exporter of one's choice
add PricingService.Tests Scenario.Receiver.Testing                # TESTING.md
add PricingService.Tests Microsoft.AspNetCore.Mvc.Testing --version '10.0.*'
(cd PricingService.Tests && dotnet add reference ../PricingService/PricingService.csproj >/dev/null)
dotnet sln add PricingService/PricingService.csproj PricingService.Tests/PricingService.Tests.csproj >/dev/null
cp -r "$here/app/." PricingService/
sed -i "s/__PG_PORT__/$pg_port/g; s/__SCENARIO_PORT__/$scenario_port/g" PricingService/appsettings.json
rm -f PricingService.Tests/UnitTest1.cs
cp "$here/tests/PricingTests.cs" PricingService.Tests/

step "build"
dotnet build > "$work/build.log" 2>&1 || { grep -E 'error' "$work/build.log" | sort -u; fail "dotnet build"; }
no_warnings "$work/build.log" "dotnet build"

step "run the app on the 'jobs' database, and call it as Scenario would"
app="http://127.0.0.1:$(free_port)"
(cd PricingService && Scenario__ApiKey="$token" Scenario__WorkRetryDelay=00:00:01 Scenario__Cancellation__PollInterval=00:00:01 \
    exec dotnet bin/Debug/net10.0/PricingService.dll --urls "$app") > "$work/app.log" 2>&1 &
app_pid=$!
pids+=($app_pid)
for _ in $(seq 1 60); do curl -sf -o /dev/null "$app/health" && break; sleep 1; done
[[ "$(curl -s "$app/health")" == Healthy ]] || { tail -40 "$work/app.log"; fail "the app is not healthy"; }
grep -q 'keeps its task records in postgresql:jobs/scenario_receiver' "$work/app.log" || fail "the start-up log does not name the PostgreSQL task store"

uuid() { cat /proc/sys/kernel/random/uuid; }
restcall() { # path body -> prints "<http status> <task id>"
    local id; id="$(uuid)"
    curl -s -o /dev/null -w "%{http_code} $id\n" -X POST "$app$1" -H 'Content-Type: application/json' \
        -H "X-Scenario-TaskInstanceId: $id" -H "X-Scenario-WorkflowInstanceId: $(uuid)" -d "$2"
}
expect() { [[ "$1" == "$2" ]] || fail "$3: expected $2, got $1"; }
read -r code run_ok < <(restcall /api/pricing/runs '{"portfolio":"P-7","paths":1000}'); expect "$code" 202 "MVC action"
read -r code run_bad < <(restcall /api/pricing/runs '{"portfolio":"P-8","paths":0}'); expect "$code" 202 "MVC action that fails"
read -r code quote < <(restcall /api/pricing/quotes '{"instrument":"EURUSD","notional":1000000}'); expect "$code" 202 "minimal API"
read -r code batch < <(restcall /api/pricing/batches '{"portfolio":"P-9"}'); expect "$code" 202 "deferring endpoint"
for _ in $(seq 1 100); do curl -s "$app/scenario/tasks/$batch" | grep -q '"deferred":true' && break; sleep 0.2; done
curl -s "$app/scenario/tasks/$batch" | grep -q '"deferred":true' || fail "the batch task is not deferred"
for _ in $(seq 1 100); do grep -q "Cancelled?.*taskInstanceId=$batch" "$work/scenario.log" 2>/dev/null && break; sleep 0.2; done
grep -q "Cancelled?.*taskInstanceId=$batch" "$work/scenario.log" || fail "the deferred task was never asked about Scenario's cancellation"

callback() { curl -s -o /dev/null -w '%{http_code} %{content_type}' -X POST "$app/api/pricing/batches/$1/result" -H 'Content-Type: application/json' -d "$2"; }
expect "$(callback "$batch" '{"price":99.5}')" "200 application/json; charset=utf-8" "first callback"
expect "$(callback "$batch" '{"price":98}')" "409 application/problem+json" "second callback"
expect "$(callback abc '{"price":98}')" "404 application/problem+json" "callback for an id that is not a task id"
expect "$(callback "$(uuid)" '{"price":98}')" "404 application/problem+json" "callback for a task never accepted"

terminal() { # id -> "<status> <statusCode> <price or ->" of its terminal status, once Scenario accepted it (204: the
    # stand-in refuses a post without the worker token with 401, with another token with 403)
    local line
    grep -F "\"taskInstanceId\":\"$1\"" "$work/scenario.log" | grep -E '"status":"(Completed|Error)"' | grep -F '"answered":204' |
        while read -r line; do
            echo "$(sed -E 's/.*"status":"([A-Za-z]+)".*/\1/' <<< "$line")" \
                "$(sed -E 's/.*"statusCode":"([0-9]+)".*/\1/' <<< "$line")" \
                "$(grep -oE '"price":"[^"]*"' <<< "$line" | cut -d'"' -f4 | grep . || echo -)"
        done
}
for _ in $(seq 1 150); do [[ -n "$(terminal "$run_bad")" && -n "$(terminal "$batch")" && -n "$(terminal "$quote")" && -n "$(terminal "$run_ok")" ]] && break; sleep 0.2; done
expect "$(terminal "$run_ok")" "Completed 200 101.5" "Scenario's status for the MVC action"
expect "$(terminal "$run_bad")" "Error 500 -" "Scenario's status for the failing MVC action"
expect "$(terminal "$quote")" "Completed 200 10000.00" "Scenario's status for the minimal-API endpoint"
expect "$(terminal "$batch")" "Completed 200 99.5" "Scenario's status for the deferred task"
[[ $(grep -cE '"status":"(Completed|Error)"' "$work/scenario.log") == 4 ]] || fail "Scenario received another terminal status than the four"
if grep -vE '"answered":20[04],' "$work/scenario.log" >&2; then fail "Scenario refused the requests above (every post must carry the worker token)"; fi

kill "$app_pid"; wait "$app_pid" || true
grep -q 'Name: Scenario.Receiver' "$work/app.log" && grep -q 'scenario.work' "$work/app.log" || fail "no trace of the receiver's ActivitySource"
grep -q 'scenario.receiver.tasks.accepted' "$work/app.log" || fail "no metric of the receiver's Meter"
if grep -E '^(warn|fail|crit):' "$work/app.log" | grep -v 'WorkRunner\[1202\]\|WorkRunner\[1203\]' >/dev/null; then
    grep -E -A3 '^(warn|fail|crit):' "$work/app.log" >&2; fail "the app logged a warning or error besides the failing run's"
fi

step "the app's tests, with a production connection string in the environment"
ConnectionStrings__Hangfire="$production" Scenario__TaskStore__ConnectionString="$production" \
    dotnet test --no-build > "$work/test.log" 2>&1 || { tail -40 "$work/test.log"; fail "the app's tests"; }
grep -E 'Passed!|Failed!' "$work/test.log"
objects="$(psql_ -d production -c "select count(*) from pg_namespace where nspname not like 'pg_%' and nspname not in ('information_schema', 'public')")"
tables="$(psql_ -d production -c "select count(*) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')")"
expect "$objects $tables" "0 0" "schemas and tables the tests left in the production database"

printf '\nTRIAL PASSED: four packages, an app from the readmes (MVC, minimal API, deferral and callback, Hangfire.PostgreSql with the PostgreSQL task store, OpenTelemetry), its tests leave the production database untouched.\n'
