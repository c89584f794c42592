using System.Globalization;
using System.Net.Http.Json;
using Scenario.Receiver.Benchmarks.Work;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>
/// Variant (b)'s job: does the work, then posts <c>Completed</c> with the same <c>outputValues</c> the library
/// would send, through a typed HttpClient whose default headers carry the bearer token.
/// </summary>
public sealed class HandWrittenJob(HttpClient http, HandWrittenScenarioSettings settings)
{
    public async Task RunAsync(string taskInstanceId, WorkRequest request, CancellationToken cancellationToken)
    {
        var result = PricingWork.Run(request);
        var status = new HandWrittenStatus(taskInstanceId, "Completed", new Dictionary<string, string>
        {
            ["statusCode"] = "200",
            ["portfolio"] = result.Portfolio,
            ["quantity"] = result.Quantity.ToString(CultureInfo.InvariantCulture),
            ["notional"] = result.Notional.ToString(CultureInfo.InvariantCulture),
            ["urgent"] = result.Urgent ? "true" : "false",
            ["asOf"] = result.AsOf.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        });

        using var response = await http.PostAsJsonAsync(settings.TaskStatusesUrl, status, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}

/// <summary>The hand-written status body, camel-cased by the web defaults of <c>PostAsJsonAsync</c>.</summary>
public sealed record HandWrittenStatus(string TaskInstanceId, string Status, Dictionary<string, string> OutputValues);

/// <summary>Where variant (b) posts: the stand-in's task-statuses URL.</summary>
public sealed record HandWrittenScenarioSettings(Uri TaskStatusesUrl);
