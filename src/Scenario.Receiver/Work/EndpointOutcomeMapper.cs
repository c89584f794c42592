using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Scenario.Receiver.Delivery;
using Scenario.Receiver.Entries;
using Scenario.Receiver.Tasks;

// ProblemDetails lives in Microsoft.AspNetCore.Http.Abstractions (TypedResults.Problem returns it); only its namespace says Mvc.
using ProblemDetails = Microsoft.AspNetCore.Mvc.ProblemDetails;

namespace Scenario.Receiver.Work;

/// <summary>
/// Turns what an endpoint answered or threw into the outcome Scenario receives. The status code is what
/// the endpoint would have answered in the request: <c>Ok(x)</c> 200, <c>Created</c> 201, a plain value or
/// <c>void</c> 200, a 4xx/5xx result an <c>Error</c> with that code, an exception an <c>Error</c> 500.
/// Entry points differ only in how they say what they answered (<see cref="EndpointAnswer"/>).
/// </summary>
internal sealed class EndpointOutcomeMapper(IOptions<ScenarioReceiverOptions> options)
{
    private readonly ScenarioReceiverOptions _options = options.Value;

    /// <param name="answer">What the endpoint would have answered.</param>
    /// <param name="jsonOptions">The endpoint's JSON settings, so outputs are named as its JSON answer would be.</param>
    public TaskOutcome FromAnswer(EndpointAnswer answer, JsonSerializerOptions jsonOptions)
    {
        var (statusCode, value) = answer;
        if (statusCode >= 400)
        {
            return TaskOutcome.Error(statusCode, Cap(ErrorMessageFor(statusCode, value)));
        }

        Dictionary<string, string>? outputs;
        try
        {
            outputs = ToOutputValues(value, jsonOptions);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            return TaskOutcome.Error(StatusCodes.Status500InternalServerError, Cap($"The endpoint's result could not be serialized into outputValues: {ex.Message}"));
        }

        var size = FitsWithoutMeasuring(outputs, _options.MaxOutputValuesBytes) ? 0 : MeasureOutputs(outputs);
        if (size > _options.MaxOutputValuesBytes)
        {
            return TaskOutcome.Error(
                StatusCodes.Status500InternalServerError,
                $"The endpoint's result is {size} bytes of outputValues, over the {_options.MaxOutputValuesBytes}-byte limit (Scenario:MaxOutputValuesBytes). Return a smaller result, e.g. a reference to the data.");
        }

        return TaskOutcome.Completed(statusCode, outputs);
    }

    public TaskOutcome FromException(Exception exception)
        // Type and message only: a stack trace would leak internals into the Scenario cockpit.
        => TaskOutcome.Error(StatusCodes.Status500InternalServerError, Cap($"{exception.GetType().Name}: {exception.Message}"));

    public static TaskOutcome TimedOut(TimeSpan timeout)
        => TaskOutcome.Error(StatusCodes.Status504GatewayTimeout, $"The work timed out after {FormatDuration(timeout)} and was cancelled.");

    public string Cap(string message)
        => message.Length <= _options.MaxMessageLength ? message : string.Concat(message.AsSpan(0, _options.MaxMessageLength - 1), "…");

    private static string ErrorMessageFor(int statusCode, object? value) => value switch
    {
        ProblemDetails problem when !string.IsNullOrEmpty(problem.Detail) && !string.IsNullOrEmpty(problem.Title) => $"{problem.Title}: {problem.Detail}",
        ProblemDetails problem when !string.IsNullOrEmpty(problem.Title ?? problem.Detail) => (problem.Title ?? problem.Detail)!,
        string text when text.Length > 0 => text,
        _ => $"The endpoint answered {statusCode} {ReasonPhrases.GetReasonPhrase(statusCode)}.".Replace("  ", " ", StringComparison.Ordinal),
    };

    /// <summary>
    /// The value's top-level properties, each as a string: Scenario takes only strings. Numbers and
    /// booleans keep their invariant JSON text, dates their ISO 8601 text, nested values become compact JSON.
    /// </summary>
    private static Dictionary<string, string>? ToOutputValues(object? value, JsonSerializerOptions jsonOptions)
    {
        if (value is null)
        {
            return null;
        }

        var element = JsonSerializer.SerializeToElement(value, value.GetType(), jsonOptions);
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.Null)
                {
                    outputs[property.Name] = AsText(property.Value);
                }
            }
        }
        else if (element.ValueKind != JsonValueKind.Null)
        {
            // A bare value (a string, a number, a list) has no property names of its own.
            outputs["value"] = AsText(element);
        }

        return outputs;
    }

    private static string AsText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => CompactJson(element),
    };

    private static string CompactJson(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            element.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Whether the outputs are certainly within the limit without serializing them a second time just to
    /// measure (that cost as much as producing them; docs/benchmarks.md). An upper bound: a UTF-16 char is
    /// at most 6 bytes of JSON (<c>\uXXXX</c>), and each entry adds two pairs of quotes, a colon and a comma.
    /// </summary>
    private static bool FitsWithoutMeasuring(Dictionary<string, string>? outputs, int limit)
    {
        if (outputs is null)
        {
            return true;
        }

        long bound = 2;
        foreach (var (name, value) in outputs)
        {
            bound += (6L * (name.Length + value.Length)) + 6;
        }

        return bound <= limit;
    }

    private static int MeasureOutputs(Dictionary<string, string>? outputs)
        => outputs is null ? 0 : JsonSerializer.SerializeToUtf8Bytes(outputs, ScenarioJsonContext.Default.DictionaryStringString).Length;

    private static string FormatDuration(TimeSpan duration)
        => duration.TotalSeconds < 120
            ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###} s")
            : duration.ToString("c", CultureInfo.InvariantCulture);
}
