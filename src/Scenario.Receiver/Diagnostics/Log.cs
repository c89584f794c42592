using Microsoft.Extensions.Logging;

namespace Scenario.Receiver.Diagnostics;

/// <summary>
/// Every log message of the library, source-generated with a fixed event id. None takes the API key,
/// a request body or a job's arguments.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Rejected a call with an invalid {Header} header: {Problem}")]
    public static partial void InvalidTaskHeader(ILogger logger, string header, string problem);

    [LoggerMessage(1002, LogLevel.Debug, "Ignoring X-Scenario-TaskStatusUrl because {Reason}; reports go to Scenario:BaseUrl. (Logged once.)")]
    public static partial void TaskStatusUrlIgnored(ILogger logger, string reason);

    [LoggerMessage(1010, LogLevel.Warning, "The setting {OldSetting} is deprecated and read in this release only: set {NewSetting} instead, a TimeSpan such as {Example}. Its value is used meanwhile.")]
    public static partial void RenamedSettingUsed(ILogger logger, string oldSetting, string newSetting, string example);

    [LoggerMessage(1011, LogLevel.Warning, "The settings {OldSetting} and {NewSetting} are both set: {NewSetting} wins and {OldSetting} is ignored. Remove {OldSetting}: it is deprecated, and the next release no longer reads it.")]
    public static partial void RenamedSettingOverridden(ILogger logger, string oldSetting, string newSetting);

    [LoggerMessage(1101, LogLevel.Information, "Accepted Scenario task {TaskInstanceId} for {Action} as job {JobId}")]
    public static partial void TaskAccepted(ILogger logger, string taskInstanceId, string action, string jobId);

    [LoggerMessage(1102, LogLevel.Information, "Scenario task {TaskInstanceId} was already accepted as job {JobId}; nothing enqueued")]
    public static partial void DuplicateTask(ILogger logger, string taskInstanceId, string jobId);

    [LoggerMessage(1103, LogLevel.Warning, "The arguments of {Action} cannot be carried to a job: {Problem}")]
    public static partial void ArgumentsNotSerializable(ILogger logger, string action, string problem);

    [LoggerMessage(1104, LogLevel.Error, "Scenario task {TaskInstanceId} for {Action} could not be accepted: the job storage failed; answered 503")]
    public static partial void TaskNotAccepted(ILogger logger, Exception exception, string taskInstanceId, string action);

    [LoggerMessage(1105, LogLevel.Warning, "Scenario task {TaskInstanceId} arrived at {Action} but was accepted by {AcceptedBy}; answered 409, nothing enqueued")]
    public static partial void TaskIdReusedAtAnotherEndpoint(ILogger logger, string taskInstanceId, string action, string acceptedBy);

    [LoggerMessage(1106, LogLevel.Warning, "Scenario task {TaskInstanceId} for {Action} carries {Bytes} bytes of arguments and request, over the {Limit}-byte limit (Scenario:MaxArgumentsBytes); answered 413")]
    public static partial void ArgumentsTooLarge(ILogger logger, string taskInstanceId, string action, long bytes, int limit);

    [LoggerMessage(1107, LogLevel.Information, "A call to {Action} did not bind ({Parameters}); answered 400, nothing enqueued")]
    public static partial void RequestNotBound(ILogger logger, string action, string parameters);

    [LoggerMessage(1108, LogLevel.Warning, "A call to {Action} has a body over the {Limit}-byte limit ({LimitSetting}; {HowKnown}); answered 413, nothing enqueued")]
    public static partial void BodyTooLarge(ILogger logger, string action, long limit, string limitSetting, string howKnown);

    [LoggerMessage(1109, LogLevel.Error, "A call to the long-running endpoint {Action} was answered 500 and its handler did not run: {Fix}")]
    public static partial void ReceiverNotAdded(ILogger logger, string action, string fix);

    [LoggerMessage(1206, LogLevel.Warning, "Work for Scenario task {TaskInstanceId} passed its {TimeoutSeconds} s deadline without stopping; Error 504 is reported now and its late result will be discarded")]
    public static partial void WorkAbandonedAtDeadline(ILogger logger, string taskInstanceId, double timeoutSeconds);

    [LoggerMessage(1208, LogLevel.Warning, "Work for Scenario task {TaskInstanceId} did not start: the task store did not answer; the job runs again in {DelaySeconds} s, and no attempt of the work is counted")]
    public static partial void WorkStartDeferredStorageUnavailable(ILogger logger, Exception exception, string taskInstanceId, double delaySeconds);

    [LoggerMessage(1201, LogLevel.Information, "Work for Scenario task {TaskInstanceId} finished: {Status} {StatusCode}")]
    public static partial void WorkFinished(ILogger logger, string taskInstanceId, string status, int statusCode);

    [LoggerMessage(1202, LogLevel.Warning, "Work for Scenario task {TaskInstanceId} failed on attempt {Attempt} of {Attempts}; it will be retried")]
    public static partial void WorkAttemptFailed(ILogger logger, Exception exception, string taskInstanceId, int attempt, int attempts);

    [LoggerMessage(1203, LogLevel.Error, "Work for Scenario task {TaskInstanceId} failed on attempt {Attempt}; Scenario will receive Error")]
    public static partial void WorkFailed(ILogger logger, Exception exception, string taskInstanceId, int attempt);

    [LoggerMessage(1204, LogLevel.Information, "Work for Scenario task {TaskInstanceId} was interrupted (server shutdown or job deleted)")]
    public static partial void WorkInterrupted(ILogger logger, string taskInstanceId);

    [LoggerMessage(1205, LogLevel.Information, "Work for Scenario task {TaskInstanceId} skipped: its terminal status {Status} was already reported")]
    public static partial void WorkSkippedAlreadyReported(ILogger logger, string taskInstanceId, string? status);

    [LoggerMessage(1207, LogLevel.Warning, "The outcome of Scenario task {TaskInstanceId} could not be saved (attempt {Attempt}): the job storage failed; the work is done and is not redone, saving again in {DelaySeconds} s")]
    public static partial void OutcomeSaveRetrying(ILogger logger, Exception exception, string taskInstanceId, int attempt, double delaySeconds);

    [LoggerMessage(1301, LogLevel.Information, "Delivered {Status} for Scenario task {TaskInstanceId} (HTTP {StatusCode}, attempt {Attempt})")]
    public static partial void StatusDelivered(ILogger logger, string status, string taskInstanceId, int statusCode, int attempt);

    [LoggerMessage(1302, LogLevel.Warning, "Could not deliver {Status} for Scenario task {TaskInstanceId} (attempt {Attempt}): {Reason}; retrying in {DelaySeconds} s")]
    public static partial void DeliveryWillRetry(ILogger logger, string status, string taskInstanceId, int attempt, string? reason, double delaySeconds);

    [LoggerMessage(1303, LogLevel.Error, "Gave up delivering {Status} for Scenario task {TaskInstanceId} after {Attempt} attempts: {Reason}. Requeue the report job from the dashboard once Scenario is reachable")]
    public static partial void DeliveryGaveUp(ILogger logger, string status, string taskInstanceId, int attempt, string? reason);

    [LoggerMessage(1304, LogLevel.Error, "Scenario refused {Status} for task {TaskInstanceId} with HTTP {StatusCode}: {Fix} The report job is failed; requeue it from the dashboard once fixed")]
    public static partial void DeliveryRefused(ILogger logger, string status, string taskInstanceId, int statusCode, string fix);

    [LoggerMessage(1305, LogLevel.Information, "Report for Scenario task {TaskInstanceId} skipped: {Status} was already delivered")]
    public static partial void ReportSkippedAlreadyReported(ILogger logger, string taskInstanceId, string? status);

    [LoggerMessage(1306, LogLevel.Warning, "Scenario asked to wait {RetryAfterSeconds} s before {Status} for task {TaskInstanceId} is posted again; waiting {CapSeconds} s instead (Scenario:Reporting:MaxRetryDelay)")]
    public static partial void RetryAfterCapped(ILogger logger, double retryAfterSeconds, string status, string taskInstanceId, double capSeconds);

    [LoggerMessage(1307, LogLevel.Warning, "Scenario took {Status} for task {TaskInstanceId}, but the job storage failed while that was recorded (attempt {Attempt}); recording again in {DelaySeconds} s, so that it is not posted twice")]
    public static partial void ReportedMarkRetrying(ILogger logger, Exception exception, string status, string taskInstanceId, int attempt, double delaySeconds);

    [LoggerMessage(1501, LogLevel.Warning, "The status of Scenario task {TaskInstanceId} could not be read: the job storage failed; answered 503")]
    public static partial void TaskStatusNotRead(ILogger logger, Exception exception, string taskInstanceId);

    [LoggerMessage(1308, LogLevel.Debug, "Could not enqueue the due retry job {JobId} at once ({Reason}); Hangfire's scheduler will")]
    public static partial void PromptRetryNotEnqueued(ILogger logger, string jobId, string reason);

    [LoggerMessage(1320, LogLevel.Warning, "Scenario answered {StatusCode} to the {Request} for task {TaskInstanceId}, a redirect to {Location}, which is not followed (nothing is sent to where it points); the request is made again later. Check Scenario:BaseUrl (an SSO proxy or an http-to-https redirect in front of Scenario?)")]
    public static partial void ScenarioRedirected(ILogger logger, int statusCode, string request, string taskInstanceId, string location);

    [LoggerMessage(1321, LogLevel.Warning, "Posting {Status} for Scenario task {TaskInstanceId} after an earlier delivery of it was cut off mid-post (no answer within its timeout, its instance died or stopped, or its report lease was taken over): Scenario may receive this status twice")]
    public static partial void PossibleDuplicateTerminalStatus(ILogger logger, string status, string taskInstanceId);

    [LoggerMessage(1401, LogLevel.Debug, "Progress post for Scenario task {TaskInstanceId} failed: {Reason}; the work goes on")]
    public static partial void ProgressNotDelivered(ILogger logger, string taskInstanceId, string? reason);

    [LoggerMessage(1402, LogLevel.Warning, "Progress post for Scenario task {TaskInstanceId} had no answer within {TimeoutSeconds} s (Scenario:Reporting:InlineAttemptTimeout); abandoned, so the work's worker is free")]
    public static partial void ProgressAbandoned(ILogger logger, string taskInstanceId, double timeoutSeconds);

    [LoggerMessage(1403, LogLevel.Warning, "The terminal status of Scenario task {TaskInstanceId} is handed to report job {ReportJobId} without an attempt from the work job: {Reason}")]
    public static partial void TerminalHandedToReportJob(ILogger logger, string taskInstanceId, string reportJobId, string reason);

    [LoggerMessage(1404, LogLevel.Information, "Started the report server: {Workers} Hangfire worker(s) for the queue '{Queue}'")]
    public static partial void ReportServerStarted(ILogger logger, int workers, string queue);

    [LoggerMessage(1405, LogLevel.Information, "No report server started: {Reason}")]
    public static partial void ReportServerNotStarted(ILogger logger, string reason);

    [LoggerMessage(1601, LogLevel.Warning, "Scenario cancelled task {TaskInstanceId}: its work is stopped and nothing more is reported for it")]
    public static partial void CancelledByScenario(ILogger logger, string taskInstanceId);

    [LoggerMessage(1602, LogLevel.Warning, "Scenario has no cancellation query ({Reason}); this instance stops asking whether tasks were cancelled and their work runs to its end. (Logged once.)")]
    public static partial void CancellationQueryUnsupported(ILogger logger, string? reason);

    [LoggerMessage(1603, LogLevel.Warning, "Could not ask Scenario whether task {TaskInstanceId} was cancelled: {Reason}; the work goes on and Scenario is asked again")]
    public static partial void CancellationQueryFailed(ILogger logger, string taskInstanceId, string? reason);

    [LoggerMessage(1604, LogLevel.Information, "Scenario task {TaskInstanceId} is deferred until {DeferredUntil:O}: it stays RUNNING until it is completed or its deadline passes")]
    public static partial void TaskDeferred(ILogger logger, string taskInstanceId, DateTimeOffset deferredUntil);

    [LoggerMessage(1605, LogLevel.Information, "Scenario task {TaskInstanceId} was not deferred: it already had an outcome ({PriorOutcome})")]
    public static partial void DeferralNotNeeded(ILogger logger, string taskInstanceId, string? priorOutcome);

    [LoggerMessage(1606, LogLevel.Warning, "Deferred Scenario task {TaskInstanceId} was not completed by its deadline; reporting Error 504")]
    public static partial void DeadlinePassed(ILogger logger, string taskInstanceId);

    [LoggerMessage(1607, LogLevel.Information, "Scenario task {TaskInstanceId} was finished explicitly: {Status} {StatusCode}; delivery is job {ReportJobId}")]
    public static partial void TaskFinishedExplicitly(ILogger logger, string taskInstanceId, string status, int statusCode, string reportJobId);

    [LoggerMessage(1608, LogLevel.Information, "Scenario task {TaskInstanceId} already had an outcome ({PriorOutcome}); this {Status} is not reported")]
    public static partial void OutcomeAlreadyDecided(ILogger logger, string taskInstanceId, string status, string? priorOutcome);

    [LoggerMessage(1701, LogLevel.Warning, "Scenario task {TaskInstanceId} has no terminal status and its work job {JobId} is {JobState} with nothing left to report it ({What}); the sweeper reports it now")]
    public static partial void TaskRecovering(ILogger logger, string taskInstanceId, string jobId, string jobState, string what);

    [LoggerMessage(1702, LogLevel.Warning, "Scenario task {TaskInstanceId} was accepted but its record is gone (kept for Scenario:RecordRetention): nothing is left to report it with; it is no longer swept")]
    public static partial void TaskRecordGone(ILogger logger, string taskInstanceId);

    [LoggerMessage(1703, LogLevel.Warning, "The sweeper could not look at Scenario task {TaskInstanceId}: the job storage failed; the next sweep tries again")]
    public static partial void SweepOfTaskFailed(ILogger logger, Exception exception, string taskInstanceId);

    [LoggerMessage(1704, LogLevel.Debug, "Sweep skipped: another instance is sweeping")]
    public static partial void SweepSkipped(ILogger logger);

    [LoggerMessage(1705, LogLevel.Warning, "The sweeper could not be scheduled as a recurring Hangfire job ({Reason}); trying again in {DelaySeconds} s")]
    public static partial void SweepNotScheduled(ILogger logger, Exception? exception, string reason, double delaySeconds);

    [LoggerMessage(1706, LogLevel.Error, "The sweeper is not scheduled: Hangfire's IRecurringJobManager is not registered (call builder.Services.AddHangfire(...)); a task whose job ends without reporting is then never recovered")]
    public static partial void SweepUnavailable(ILogger logger);

    [LoggerMessage(1707, LogLevel.Debug, "Sweep looked at {Count} due tasks")]
    public static partial void SweepLooked(ILogger logger, int count);

    [LoggerMessage(1708, LogLevel.Debug, "Cancellation check asked Scenario about {Asked} deferred tasks ({Due} due)")]
    public static partial void CancellationCheckRound(ILogger logger, int asked, int due);

    [LoggerMessage(1709, LogLevel.Warning, "The cancellation check of deferred Scenario task {TaskInstanceId} failed; it is asked again in the next round")]
    public static partial void CancellationCheckOfTaskFailed(ILogger logger, Exception exception, string taskInstanceId);

    [LoggerMessage(1710, LogLevel.Warning, "The cancellation check round failed ({Reason}); the next round tries again")]
    public static partial void CancellationCheckRoundFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(1801, LogLevel.Warning, "The report lease of Scenario task {TaskInstanceId} could not be returned; another delivery of the task waits until it expires ({LeaseSeconds} s)")]
    public static partial void ReportLeaseNotReturned(ILogger logger, Exception exception, string taskInstanceId, double leaseSeconds);

    [LoggerMessage(1802, LogLevel.Information, "Task records live in PostgreSQL, table {Table}")]
    public static partial void PostgreSqlTaskStoreInUse(ILogger logger, string table);

    [LoggerMessage(1803, LogLevel.Warning, "Could not check at start-up that the instances sharing the Hangfire storage keep their task records in {Store} too: the storage did not answer")]
    public static partial void TaskStoreNotChecked(ILogger logger, Exception exception, string store);

    [LoggerMessage(1806, LogLevel.Information, "Placed {Count} Scenario tasks accepted by an earlier version in the dashboard's lists per standing")]
    public static partial void UnlistedTasksPlaced(ILogger logger, int count);

    [LoggerMessage(1807, LogLevel.Warning, "Could not place the Scenario tasks accepted by an earlier version in the dashboard's lists per standing: they show under All only, and join their list at their next change or at the next start")]
    public static partial void UnlistedTasksNotPlaced(ILogger logger, Exception exception);

    [LoggerMessage(1804, LogLevel.Information, "The Scenario receiver keeps its task records in {Store}: {Reason}")]
    public static partial void TaskStoreChosen(ILogger logger, string store, string reason);

    [LoggerMessage(1805, LogLevel.Warning, "Could not read the settings of Hangfire.PostgreSql {Version} at start-up: make sure PostgreSqlStorageOptions.UseSlidingInvisibilityTimeout is true (else work longer than InvisibilityTimeout runs again), and DistributedLockTimeout longer than Scenario:Reporting:RequestTimeout + 30 s")]
    public static partial void StorageSettingsNotChecked(ILogger logger, string version);

    [LoggerMessage(1901, LogLevel.Warning, "Operator {Operator} failed Scenario task {TaskInstanceId} from the dashboard ({Standing}): Scenario receives Error {StatusCode}: {Message}")]
    public static partial void OperatorFailedTask(ILogger logger, string @operator, string taskInstanceId, string standing, int statusCode, string message);

    [LoggerMessage(1902, LogLevel.Warning, "Operator {Operator} completed deferred Scenario task {TaskInstanceId} from the dashboard with {OutputCount} output values: Scenario receives Completed")]
    public static partial void OperatorCompletedTask(ILogger logger, string @operator, string taskInstanceId, int outputCount);

    [LoggerMessage(1903, LogLevel.Warning, "Operator {Operator} retried the delivery of Scenario task {TaskInstanceId} now from the dashboard: report job {ReportJobId} enqueued")]
    public static partial void OperatorRetriedDelivery(ILogger logger, string @operator, string taskInstanceId, string reportJobId);

    [LoggerMessage(1904, LogLevel.Warning, "Operator {Operator} re-delivered the {Status} status of Scenario task {TaskInstanceId} from the dashboard: a SECOND post of a status Scenario took at {ReportedAt:O}; Scenario answered {Answer}")]
    public static partial void OperatorRedeliveredStatus(ILogger logger, string @operator, string status, string taskInstanceId, DateTimeOffset reportedAt, string answer);

    [LoggerMessage(1905, LogLevel.Warning, "Operator {Operator} asked the dashboard to {Action} Scenario task {TaskInstanceId}, which it refused: {Why}")]
    public static partial void OperatorActionRefused(ILogger logger, string @operator, string action, string taskInstanceId, string why);

    [LoggerMessage(1906, LogLevel.Warning, "Operator {Operator} failed Scenario task {TaskInstanceId} while its work job {JobId} was {PriorState}: the job is deleted, so the work's cancellation token fires; whatever the work returns now is dropped")]
    public static partial void OperatorEndedWork(ILogger logger, string @operator, string taskInstanceId, string jobId, string priorState);
}
