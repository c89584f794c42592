using System.ComponentModel.DataAnnotations;

namespace Scenario.Receiver.Sample.Endpoints;

/// <summary>
/// The hand-off pattern: <c>POST /api/pricing/batches</c> submits a portfolio to an external batch system and
/// defers the task (it stays RUNNING in Scenario); the batch system's callback
/// <c>POST /api/pricing/batches/{taskInstanceId}/result</c> completes it (<c>{"price": 101.5}</c>) or fails it
/// (<c>{"error": "..."}</c>). Without a callback by <c>deadlineSeconds</c>, Scenario receives Error 504.
/// </summary>
internal static partial class PricingBatchesEndpoint
{
    public const string Path = "/api/pricing/batches";

    public static IEndpointRouteBuilder MapPricingBatches(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, (PricingBatchRequest request, ScenarioTaskContext task, ILoggerFactory loggers) =>
            {
                // The "submission": a real service would call the batch system here, passing the task id it calls back with.
                SubmittedToBatch(loggers.CreateLogger(typeof(PricingBatchesEndpoint).FullName!), request.Portfolio!, task.RequireTaskInstanceId(), request.DeadlineSeconds);
                return ScenarioResults.Deferred(TimeSpan.FromSeconds(request.DeadlineSeconds));
            })
            .WithName("PricingBatch")
            .WithTags("Pricing")
            .AddEndpointFilter<RouteHandlerBuilder, ValidateBodyFilter<PricingBatchRequest>>()
            .WithScenarioLongRunning();

        // An ordinary endpoint, called by the batch system, not by Scenario.
        app.MapPost(Path + "/{taskInstanceId}/result", async (string taskInstanceId, PricingBatchResult result, IScenarioTaskCompletion tasks, ILoggerFactory loggers, CancellationToken cancellationToken) =>
            {
                try
                {
                    return await RecordResultAsync(taskInstanceId, result, tasks, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // The batch system hung up: nothing to answer, and nothing was decided.
                    throw;
                }
                catch (Exception ex)
                {
                    // The task records live in the job storage: while it cannot be reached (PostgreSQL down), say
                    // "send it again" with the receiver's own 503 answer, as a bare 500 would not.
                    ResultNotRecorded(loggers.CreateLogger(typeof(PricingBatchesEndpoint).FullName!), ex, taskInstanceId);
                    return ScenarioResults.StorageUnavailable(
                        "The result could not be recorded now",
                        $"The job storage did not answer; task {taskInstanceId} is unchanged. Send the callback again.");
                }
            })
            .WithName("PricingBatchResult")
            .WithTags("Pricing");
        return app;
    }

    private static async Task<IResult> RecordResultAsync(string taskInstanceId, PricingBatchResult result, IScenarioTaskCompletion tasks, CancellationToken cancellationToken)
    {
        // Any id, a GUID or not: one that was never submitted here gets 404 problem+json.
        if (!await tasks.IsKnownAsync(taskInstanceId, cancellationToken))
        {
            return ScenarioResults.UnknownTask(taskInstanceId);
        }

        if (result.Price is null && string.IsNullOrWhiteSpace(result.Error))
        {
            return Results.Problem(title: "Empty result", detail: "Send {\"price\": 101.5} or {\"error\": \"...\"}.", statusCode: StatusCodes.Status400BadRequest);
        }

        var outcome = result.Error is { Length: > 0 } error
            ? await tasks.FailAsync(taskInstanceId, error, cancellationToken: cancellationToken)
            : await tasks.CompleteAsync(taskInstanceId, new { price = result.Price }, "Priced by the batch system.", cancellationToken);

        // 200 when this callback decided the task, 409 problem+json naming what the task had when it had an outcome already.
        return outcome.ToHttpResult();
    }

    [LoggerMessage(9102, LogLevel.Error, "The batch system's result for Scenario task {TaskInstanceId} could not be recorded: the job storage failed; answered 503")]
    private static partial void ResultNotRecorded(ILogger logger, Exception exception, string taskInstanceId);

    [LoggerMessage(9101, LogLevel.Information, "Submitted portfolio {Portfolio} to the batch system for Scenario task {TaskInstanceId}; it calls back within {DeadlineSeconds} s")]
    private static partial void SubmittedToBatch(ILogger logger, string portfolio, string taskInstanceId, int deadlineSeconds);
}

/// <summary>The body of <c>POST /api/pricing/batches</c>.</summary>
internal sealed class PricingBatchRequest
{
    [Required]
    public string? Portfolio { get; set; }

    /// <summary>How long the task waits for the batch system's callback.</summary>
    [Range(1, 86_400)]
    public int DeadlineSeconds { get; set; } = 60;
}

/// <summary>The batch system's callback: a price, or an error.</summary>
internal sealed record PricingBatchResult(decimal? Price, string? Error);
