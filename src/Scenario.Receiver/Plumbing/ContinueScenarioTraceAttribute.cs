using System.Diagnostics;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;
using Scenario.Receiver.Diagnostics;

namespace Scenario.Receiver.Plumbing;

/// <summary>
/// Carries the trace across Hangfire, as OpenTelemetry's Hangfire instrumentation does: when a job is
/// created, the current activity's id is saved as a job parameter (unless the creator set one); when it
/// runs, an activity named <see cref="ActivityName"/> continues that trace around the whole run.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class ContinueScenarioTraceAttribute(string activityName) : JobFilterAttribute, IClientFilter, IServerFilter
{
    private const string ActivityItem = "Scenario.Activity";

    public string ActivityName { get; } = activityName;

    public void OnCreating(CreatingContext context)
    {
        if (Activity.Current is { Id: { } current } && TaskJobParameters.ReadTraceParent(context) is null)
        {
            TaskJobParameters.WriteTraceParent(context, current);
        }
    }

    public void OnCreated(CreatedContext context)
    {
    }

    public void OnPerforming(PerformingContext context)
    {
        // Hangfire runs the job on this thread after the filters, so the activity becomes its Activity.Current.
        var activity = ScenarioTelemetry.StartJobActivity(
            ActivityName,
            TaskJobParameters.ReadTraceParent(context),
            TaskJobArguments.TaskInstanceIdOf(context.BackgroundJob.Job));
        if (activity is not null)
        {
            activity.SetTag("scenario.job_id", context.BackgroundJob.Id);
            context.Items[ActivityItem] = activity;
        }
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.TryGetValue(ActivityItem, out var item) && item is Activity activity)
        {
            if (context.Exception is { } exception && !context.ExceptionHandled)
            {
                activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            }

            activity.Dispose();
        }
    }
}
