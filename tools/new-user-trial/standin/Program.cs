// The trial's Scenario: our published stand-in (ScenarioStandIn, from the packed Scenario.Receiver.Testing), served on
// the port the app's appsettings.json names and accepting the worker token the app is given, exactly as a test would
// start it. Each request it receives, on any path and whatever it answered, becomes one JSON line in the log that
// run.sh checks. Runs until the trial stops it (SIGTERM) or Ctrl+C.
//
//   dotnet ScenarioStandInHost.dll <port> <log file> <worker token>
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Scenario.Receiver.Testing;

if (args.Length != 3 || !int.TryParse(args[0], out var port))
{
    Console.Error.WriteLine("usage: ScenarioStandInHost <port> <log file> <worker token>");
    return 2;
}

var (logPath, token) = (args[1], args[2]);

using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;   // end the loop below and dispose the stand-in, rather than being torn down mid-write
    stop.Cancel();
}
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

await using var scenario = await ScenarioStandIn.StartAsync(new ScenarioStandInOptions { Port = port, ApiKey = token });
Console.WriteLine($"Scenario stand-in listening on {scenario.BaseUrl}");

await using var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
// By identity, not by position: two requests answered out of their arrival order are recorded in arrival order, so a
// request may land before one already written.
var written = new HashSet<RecordedRequest>(ReferenceEqualityComparer.Instance);
try
{
    while (true)
    {
        var requests = await scenario.WaitForRequestsAsync(all => all.Count > written.Count, Timeout.InfiniteTimeSpan, stop.Token);
        foreach (var request in requests.Where(written.Add))
        {
            await log.WriteLineAsync(ToJsonLine(request));
        }
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
}

return 0;

// {"method":"POST","path":"/taskstatus/api/task-statuses","answered":204,"body":{…}}: the path with its query string,
// the body as the JSON it was (compact), or as text when it was not JSON, or null when there was none. The token is
// never written: "answered" says whether the stand-in accepted it (401 none, 403 another).
static string ToJsonLine(RecordedRequest request)
{
    using var buffer = new MemoryStream();
    using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
    {
        json.WriteStartObject();
        json.WriteString("method", request.Method);
        json.WriteString("path", request.Path + request.QueryString);
        json.WriteNumber("answered", request.AnsweredStatusCode);
        json.WritePropertyName("body");
        if (request.Body.Length == 0)
        {
            json.WriteNullValue();
        }
        else
        {
            try
            {
                using var body = JsonDocument.Parse(request.Body);
                body.RootElement.WriteTo(json);
            }
            catch (JsonException)
            {
                json.WriteStringValue(request.Body);
            }
        }

        json.WriteEndObject();
    }

    return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
}
