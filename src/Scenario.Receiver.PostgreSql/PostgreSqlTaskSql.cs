using System.Text.RegularExpressions;

namespace Scenario.Receiver.Tasks.PostgreSql;

/// <summary>
/// The statements of the PostgreSQL task store, written once per schema. One row per task, keyed by its id in
/// lower case; the booleans stand in for the generic store's sets (tasks not reported, statuses not delivered,
/// tasks being recovered), with partial indexes so the sweeper and the health check read only those rows.
/// Times that decide a lock or a claim come from the database's clock, so the instances' clocks need not agree.
/// </summary>
internal sealed partial class PostgreSqlTaskSql
{
    private const string Columns =
        "task_instance_id, workflow_instance_id, job_id, report_job_id, queue, entry_key, accepted_at, outcome, "
        + "reported_status, reported_at, deferred_until, deadline_job_id, cancelled_by_scenario_at, cancellation_check_job_id, "
        + "status_url, decided_by, progress_until, decided_at, delivery";

    public PostgreSqlTaskSql(string schema)
    {
        if (!IsValidSchemaName(schema))
        {
            throw new ArgumentException($"'{schema}' is not a valid schema name.", nameof(schema));
        }

        var table = $"{schema}.task";
        CreateSchema = $"""
            SELECT pg_advisory_xact_lock(hashtext('Scenario.Receiver task table'));
            CREATE SCHEMA IF NOT EXISTS {schema};
            CREATE TABLE IF NOT EXISTS {table} (
                task_instance_id text PRIMARY KEY,
                workflow_instance_id text,
                job_id text,
                report_job_id text,
                queue text,
                entry_key text,
                accepted_at timestamptz,
                outcome text,
                reported_status text,
                reported_at timestamptz,
                deferred_until timestamptz,
                deadline_job_id text,
                cancelled_by_scenario_at timestamptz,
                cancellation_check_job_id text,
                status_url text,
                decided_by text,
                progress_until timestamptz,
                decided_at timestamptz,
                delivery text,
                report_lease uuid,
                report_lease_until timestamptz,
                report_lease_taken_over boolean NOT NULL DEFAULT false,
                unreported boolean NOT NULL DEFAULT false,
                undelivered boolean NOT NULL DEFAULT false,
                recovering boolean NOT NULL DEFAULT false,
                sweep_at timestamptz NOT NULL DEFAULT '-infinity',
                cancellation_check_at timestamptz,
                expires_at timestamptz NOT NULL);
            -- A table made by an earlier version lacks these columns.
            ALTER TABLE {table} ADD COLUMN IF NOT EXISTS cancellation_check_job_id text;
            ALTER TABLE {table} ADD COLUMN IF NOT EXISTS report_lease_taken_over boolean NOT NULL DEFAULT false;
            ALTER TABLE {table} ADD COLUMN IF NOT EXISTS status_url text;
            ALTER TABLE {table} ADD COLUMN IF NOT EXISTS decided_by text;
            ALTER TABLE {table} ADD COLUMN IF NOT EXISTS progress_until timestamptz;
            -- A task of an earlier version is due for a look at once, and then carries its own time.
            ALTER TABLE {table} ADD COLUMN IF NOT EXISTS sweep_at timestamptz NOT NULL DEFAULT '-infinity';
            ALTER TABLE {table} ADD COLUMN IF NOT EXISTS cancellation_check_at timestamptz;
            -- The sweeper and the cancellation check read the due rows alone, the longest due first; the first also
            -- serves the count of unreported tasks, which an index of its own served before.
            DROP INDEX IF EXISTS {schema}.task_unreported;
            CREATE INDEX IF NOT EXISTS task_sweep_due ON {table} (sweep_at) WHERE unreported;
            CREATE INDEX IF NOT EXISTS task_cancellation_check_due ON {table} (cancellation_check_at) WHERE cancellation_check_at IS NOT NULL;
            ALTER TABLE {table} ADD COLUMN IF NOT EXISTS decided_at timestamptz;
            ALTER TABLE {table} ADD COLUMN IF NOT EXISTS delivery text;
            CREATE INDEX IF NOT EXISTS task_accepted_at ON {table} (accepted_at DESC) WHERE accepted_at IS NOT NULL;
            CREATE INDEX IF NOT EXISTS task_undelivered ON {table} (task_instance_id) WHERE undelivered;
            CREATE INDEX IF NOT EXISTS task_recovering ON {table} (task_instance_id) WHERE recovering;
            CREATE INDEX IF NOT EXISTS task_expires_at ON {table} (expires_at);
            -- Where the task stands, for the dashboard's lists: TaskStandings.Of in SQL, rule for rule and in its order
            -- (the listing tests check the two agree). Generated, so no write has to keep it, and a table of an earlier
            -- version gets it, computed for every row, when this runs; the index pages each standing newest first.
            ALTER TABLE {table} ADD COLUMN IF NOT EXISTS standing text GENERATED ALWAYS AS (
                CASE
                    WHEN reported_at IS NOT NULL THEN 'Delivered'
                    WHEN outcome IS NULL AND cancelled_by_scenario_at IS NOT NULL THEN 'CancelledByScenario'
                    WHEN outcome IS NOT NULL AND (delivery::jsonb ->> 'needsPerson') = 'true' THEN 'NeedsPerson'
                    WHEN outcome IS NOT NULL THEN 'AwaitingDelivery'
                    WHEN deferred_until IS NOT NULL THEN 'Deferred'
                    ELSE 'Running'
                END) STORED;
            CREATE INDEX IF NOT EXISTS task_standing_accepted_at ON {table} (standing, accepted_at DESC) WHERE accepted_at IS NOT NULL;
            """;

        // An accept is one transaction in two round trips: BEGIN with the claim, then the record with COMMIT (or
        // the job found with COMMIT). The claim makes the row, or takes it where it holds no job yet (a decision or
        // a lease for a task no one had accepted). Until the commit, the row's lock holds a concurrent accept of the
        // same task at its insert (for lock_timeout at most, set on the store's connections); then it finds the job.
        ClaimAccept = $"""
            BEGIN;
            INSERT INTO {table} AS t (task_instance_id, workflow_instance_id, status_url, queue, entry_key, expires_at)
            VALUES (@id, @workflow, @statusUrl, @queue, @entry, now() + @retention)
            ON CONFLICT (task_instance_id) DO UPDATE
            SET workflow_instance_id = EXCLUDED.workflow_instance_id, status_url = EXCLUDED.status_url, queue = EXCLUDED.queue,
                entry_key = EXCLUDED.entry_key, expires_at = EXCLUDED.expires_at
            WHERE t.job_id IS NULL
            RETURNING true
            """;

        // A decision made before the accept (an explicit completion of a task not yet accepted) may have reported it.
        RecordAcceptedAndCommit = $"""
            UPDATE {table} SET job_id = @job, accepted_at = @at, unreported = (reported_at IS NULL), sweep_at = @sweepAt, expires_at = now() + @retention
            WHERE task_instance_id = @id;
            COMMIT
            """;

        FindAcceptedAndCommit = $"SELECT job_id, entry_key FROM {table} WHERE task_instance_id = @id; COMMIT";

        Find = $"SELECT {Columns} FROM {table} WHERE task_instance_id = @id";

        // The first outcome wins: a row that has one, was reported or was cancelled by Scenario is left alone. A
        // decision returns the deferred task's jobs it makes pointless, so the decider drops them without a read.
        Decide = $"""
            INSERT INTO {table} AS t (task_instance_id, outcome, decided_by, decided_at, expires_at) VALUES (@id, @outcome, @decidedBy, @decidedAt, now() + @retention)
            ON CONFLICT (task_instance_id) DO UPDATE SET outcome = EXCLUDED.outcome, decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at, expires_at = EXCLUDED.expires_at,
                cancellation_check_at = NULL
            WHERE t.outcome IS NULL AND t.reported_at IS NULL AND t.cancelled_by_scenario_at IS NULL
            RETURNING deadline_job_id, cancellation_check_job_id, workflow_instance_id
            """;

        // A progress post begins unless the task is settled (but for the work's own outcome, after the work) or a
        // terminal post holds the report lease; its lease in the row makes a terminal delivery wait for it. The later
        // of two leases stays, so one post's answer does not clear another's that lasts longer.
        BeginProgress = $"""
            INSERT INTO {table} AS t (task_instance_id, progress_until, expires_at) VALUES (@id, @until, now() + @retention)
            ON CONFLICT (task_instance_id) DO UPDATE SET progress_until = GREATEST(t.progress_until, EXCLUDED.progress_until)
            WHERE t.reported_at IS NULL AND t.cancelled_by_scenario_at IS NULL
                AND (t.outcome IS NULL OR (@afterOwnWork AND t.decided_by = 'Work'))
                AND (t.report_lease_until IS NULL OR t.report_lease_until < now())
            RETURNING true
            """;

        EndProgress = $"UPDATE {table} SET progress_until = NULL WHERE task_instance_id = @id AND progress_until = @until";

        // The decide lock: the row's lock, held by the transaction until it commits.
        LockRowForDecide = $"""
            INSERT INTO {table} (task_instance_id, expires_at) VALUES (@id, now() + @retention) ON CONFLICT (task_instance_id) DO NOTHING;
            SELECT {Columns} FROM {table} WHERE task_instance_id = @id FOR UPDATE
            """;

        WriteDeferred = $"""
            UPDATE {table} SET deferred_until = @until, deadline_job_id = @deadlineJob, cancellation_check_at = @checkAt, expires_at = now() + @retention
            WHERE task_instance_id = @id
            """;

        WriteCancelledByScenario = $"""
            UPDATE {table} SET cancelled_by_scenario_at = @at, decided_by = 'ScenarioCancellation', cancellation_check_at = NULL, expires_at = now() + @retention
            WHERE task_instance_id = @id
            """;

        // The report lock is a lease: taken when free or expired (its holder died), and returned with the record. A
        // lease still there when it is taken (expired, never returned) was cut off: its holder died, stopped mid-post
        // (AbandonReportLease) or outlived it. The SET sees the row as it was, so the take says so at no extra cost.
        TakeReportLease = $"""
            INSERT INTO {table} AS t (task_instance_id, report_lease, report_lease_until, expires_at)
            VALUES (@id, @lease, now() + @timeout, now() + @retention)
            ON CONFLICT (task_instance_id) DO UPDATE SET report_lease = EXCLUDED.report_lease, report_lease_until = EXCLUDED.report_lease_until,
                report_lease_taken_over = (t.report_lease IS NOT NULL)
            WHERE t.report_lease_until IS NULL OR t.report_lease_until < now()
            RETURNING {Columns}, report_lease_taken_over
            """;

        // Reported, out of every count of waiting tasks, and the lease returned in the same statement.
        WriteReported = $"""
            UPDATE {table} SET reported_status = @status, reported_at = @at,
                unreported = false, undelivered = false, recovering = false, cancellation_check_at = NULL,
                report_lease = CASE WHEN report_lease = @lease THEN NULL ELSE report_lease END,
                report_lease_until = CASE WHEN report_lease = @lease THEN NULL ELSE report_lease_until END,
                expires_at = now() + @retention
            WHERE task_instance_id = @id
            """;

        ReturnReportLease = $"UPDATE {table} SET report_lease = NULL, report_lease_until = NULL WHERE task_instance_id = @id AND report_lease = @lease";

        // A post cut off by a shutdown: the lease is left in the row but expired, so the next delivery takes it at once
        // and knows the post may have reached Scenario.
        AbandonReportLease = $"UPDATE {table} SET report_lease_until = '-infinity' WHERE task_instance_id = @id AND report_lease = @lease";

        WriteReportJob = $"UPDATE {table} SET report_job_id = @reportJob WHERE task_instance_id = @id";

        MarkUndelivered = $"UPDATE {table} SET undelivered = true WHERE task_instance_id = @id";

        WriteDeliveryNote = $"UPDATE {table} SET delivery = @delivery WHERE task_instance_id = @id";

        // The dashboard's page: the index on accepted_at reads the page's rows alone; the count is of the index too.
        ListAccepted = $"""
            SELECT {Columns} FROM {table} WHERE accepted_at IS NOT NULL ORDER BY accepted_at DESC LIMIT @take OFFSET @skip;
            SELECT count(*) FROM {table} WHERE accepted_at IS NOT NULL
            """;

        // One standing's page: the index on (standing, accepted_at) reads the page's rows alone, and counts the standing.
        ListStanding = $"""
            SELECT {Columns} FROM {table} WHERE standing = @standing AND accepted_at IS NOT NULL ORDER BY accepted_at DESC LIMIT @take OFFSET @skip;
            SELECT count(*) FROM {table} WHERE standing = @standing AND accepted_at IS NOT NULL
            """;

        CountUndelivered = $"SELECT count(*) FROM {table} WHERE undelivered";

        // Not for a task reported meanwhile: the sweeper marks outside the report lock (see the Hangfire store).
        MarkRecovering = $"UPDATE {table} SET recovering = true WHERE task_instance_id = @id AND reported_at IS NULL";

        Forget = $"UPDATE {table} SET unreported = false, undelivered = false, recovering = false, cancellation_check_at = NULL WHERE task_instance_id = @id";

        CountWaiting = $"""
            SELECT count(*) FILTER (WHERE undelivered), count(*) FILTER (WHERE recovering), count(*) FILTER (WHERE unreported)
            FROM {table} WHERE undelivered OR recovering OR unreported
            """;

        DueForSweep = $"SELECT task_instance_id FROM {table} WHERE unreported AND sweep_at <= @now ORDER BY sweep_at LIMIT @max";

        ScheduleSweep = $"UPDATE {table} SET sweep_at = @at WHERE task_instance_id = @id AND unreported";

        DueForCancellationCheck = $"""
            SELECT task_instance_id FROM {table} WHERE cancellation_check_at IS NOT NULL AND cancellation_check_at <= @now
            ORDER BY cancellation_check_at LIMIT @max
            """;

        // Only for a task still waiting: one settled meanwhile keeps none.
        ScheduleCancellationCheck = $"""
            UPDATE {table} SET cancellation_check_at = @at WHERE task_instance_id = @id
                AND (@at IS NULL OR (outcome IS NULL AND reported_at IS NULL AND cancelled_by_scenario_at IS NULL))
            """;

        IsDeferred = $"SELECT deferred_until IS NOT NULL FROM {table} WHERE task_instance_id = @id";

        RemoveExpired = $"DELETE FROM {table} WHERE expires_at < now()";
    }

    public string CreateSchema { get; }

    public string ClaimAccept { get; }

    public string RecordAcceptedAndCommit { get; }

    public string FindAcceptedAndCommit { get; }

    public string Find { get; }

    public string Decide { get; }

    public string LockRowForDecide { get; }

    public string BeginProgress { get; }

    public string EndProgress { get; }

    public string WriteDeferred { get; }

    public string WriteCancelledByScenario { get; }


    public string TakeReportLease { get; }

    public string WriteReported { get; }

    public string ReturnReportLease { get; }

    public string AbandonReportLease { get; }

    public string WriteReportJob { get; }

    public string MarkUndelivered { get; }

    public string MarkRecovering { get; }

    public string WriteDeliveryNote { get; }

    public string ListAccepted { get; }

    public string ListStanding { get; }

    public string CountUndelivered { get; }

    public string Forget { get; }

    public string CountWaiting { get; }

    public string DueForSweep { get; }

    public string ScheduleSweep { get; }

    public string DueForCancellationCheck { get; }

    public string ScheduleCancellationCheck { get; }

    public string IsDeferred { get; }

    public string RemoveExpired { get; }

    /// <summary>The schema is written into the statements, so only a plain identifier is taken.</summary>
    public static bool IsValidSchemaName(string? schema) => schema is { Length: > 0 and <= 63 } && SchemaName().IsMatch(schema);

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex SchemaName();
}
