using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Scenario.Receiver.Tasks;

namespace Scenario.Receiver.Dashboard;

/// <summary>What a task's report job is doing: its state, its reason, and when it runs next if it is Scheduled.</summary>
internal sealed record ReportJobState(string JobId, string StateName, string? Reason, DateTimeOffset? NextAttemptAt);

/// <summary>Reads the report jobs' states of the tasks on a page: one state read for each task whose delivery is under way.</summary>
internal static class ReportJobStates
{
    public static Dictionary<string, ReportJobState> Read(JobStorage storage, IEnumerable<TaskRecord> records)
    {
        var states = new Dictionary<string, ReportJobState>(StringComparer.Ordinal);
        var wanted = records.Where(record => record is { IsReported: false, Outcome: not null, ReportJobId: not null }).Select(record => record.ReportJobId!).ToList();
        if (wanted.Count == 0)
        {
            return states;
        }

        using var connection = storage.GetConnection();
        foreach (var jobId in wanted)
        {
            if (connection.GetStateData(jobId) is { } state)
            {
                var nextAttempt = state.Name == ScheduledState.StateName && state.Data.TryGetValue("EnqueueAt", out var enqueueAt) && JobHelper.DeserializeNullableDateTime(enqueueAt) is { } at
                    ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc))
                    : (DateTimeOffset?)null;
                states[jobId] = new ReportJobState(jobId, state.Name, state.Reason, nextAttempt);
            }
        }

        return states;
    }
}
