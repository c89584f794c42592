using System.Diagnostics;
using System.Reflection;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;

namespace Scenario.Receiver.Tests.Sample;

/// <summary>
/// The sample's <c>--demo</c>, run the way a reader runs it: <c>dotnet Scenario.Receiver.Sample.dll --demo</c>,
/// a process of its own, with the embedded Scenario stand-in and in-memory Hangfire storage. The test project
/// references the sample project, so <c>dotnet test</c> builds it first.
/// </summary>
public sealed class SampleDemoTests
{
    private const string SampleName = "Scenario.Receiver.Sample";

    /// <summary>Generous: the demo gives up by itself after 60 s; this only guards against a hung process.</summary>
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Settings that would point the child away from its embedded defaults, whatever this process inherited.</summary>
    private static readonly string[] SettingsToClear = ["Scenario__BaseUrl", "ConnectionStrings__Hangfire"];

    [Fact]
    public async Task Demo_WithoutScenarioOrStorageConfigured_ReportsCompletedFromBothEntryPointsErrorAndACallbackCompletedDeferredTaskToTheEmbeddedScenarioAndExitsZero()
    {
        var run = await RunSampleAsync(["--demo"], environment: []);

        Assert.True(run.ExitCode == 0, $"The demo exited with {run.ExitCode}.{run}");
        var pricedTask = TaskOfRestCall(run, "EQ-1, 1500 ms}");
        var rejectedTask = TaskOfRestCall(run, "EQ-2, 1500 ms, fail}");
        var quotedTask = TaskOfRestCall(run, "api/pricing/quotes {EQ-3, 1500 ms}");

        var completed = SingleReceived(run, "Completed", pricedTask);
        Assert.Matches(@"\sstatusCode=200\s", completed);
        Assert.Contains(" portfolio=EQ-1 ", completed, StringComparison.Ordinal);
        Assert.Matches(@"\sprice=\d+\.\d{1,2}\s", completed);
        Assert.Contains(" currency=EUR ", completed, StringComparison.Ordinal);

        // The failure asked for says so, once, and its stack trace stays out of the output.
        Assert.Contains("fails on purpose: the engine rejects EQ-2, so Scenario receives Error 500 for this task.", Lines(run));
        Assert.Single(Lines(run), l => l.StartsWith($"On purpose: Work for Scenario task {rejectedTask} failed on attempt 1;", StringComparison.Ordinal));
        Assert.DoesNotContain(Lines(run), l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("at ", StringComparison.Ordinal));

        var error = SingleReceived(run, "Error", rejectedTask);
        Assert.Matches(@"\sstatusCode=500\s", error);
        Assert.EndsWith(" message=\"InvalidOperationException: Pricing engine rejected portfolio EQ-2\"", error, StringComparison.Ordinal);

        // The minimal-API endpoint: the same outcome as the controller action.
        var quoted = SingleReceived(run, "Completed", quotedTask);
        Assert.Matches(@"\sstatusCode=200\s", quoted);
        Assert.Contains(" portfolio=EQ-3 ", quoted, StringComparison.Ordinal);
        Assert.Matches(@"\sprice=\d+\.\d{1,2}\s", quoted);
        Assert.Contains(" currency=EUR ", quoted, StringComparison.Ordinal);
        Assert.Empty(ReceivedLines(run, "Error", quotedTask));

        // The hand-off: deferred first (nothing received), completed by the batch system's callback, a second callback refused.
        var batchedTask = TaskOfRestCall(run, "api/pricing/batches {EQ-4, deadline 60 s}");
        Assert.Contains("\"deferred\":true", Assert.Single(Lines(run), l => l.StartsWith($"Deferred: GET /scenario/tasks/{batchedTask} ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains($"Callback: POST /api/pricing/batches/{batchedTask}/result {{\"price\": 101.5}} → 200", Lines(run));
        Assert.Contains($"Callback: POST /api/pricing/batches/{batchedTask}/result {{\"price\": 99.0}} → 409", Lines(run));
        var batched = SingleReceived(run, "Completed", batchedTask);
        Assert.Matches(@"\sstatusCode=200\s", batched);
        Assert.Contains(" price=101.5 ", batched, StringComparison.Ordinal);
        Assert.Empty(ReceivedLines(run, "Error", batchedTask));

        Assert.Empty(ReceivedLines(run, "Completed", rejectedTask));
        Assert.Empty(ReceivedLines(run, "Error", pricedTask));
        Assert.Contains("Scenario received: InProgress", run.Output, StringComparison.Ordinal);

        // What the sample's operators see: the task status endpoint and the health check.
        Assert.Contains($"\"state\":\"Succeeded\",\"reportedStatus\":\"Completed\"", Assert.Single(Lines(run), l => l.StartsWith($"GET /scenario/tasks/{pricedTask} ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains($"\"state\":\"Deleted\",\"reportedStatus\":\"Error\"", Assert.Single(Lines(run), l => l.StartsWith($"GET /scenario/tasks/{rejectedTask} ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("GET /health → 200 Healthy", Lines(run));
    }

    [Fact]
    public async Task Demo_WithAnExternalScenarioBaseUrl_RefusesToRunAndExitsTwo()
    {
        var run = await RunSampleAsync(["--demo"], new Dictionary<string, string> { ["Scenario__BaseUrl"] = "https://scenario.example.com" });

        Assert.True(run.ExitCode == 2, $"The demo exited with {run.ExitCode}.{run}");
        Assert.Equal(
            "--demo plays Scenario with the embedded stand-in: run it without Scenario:BaseUrl (unset Scenario__BaseUrl).",
            run.Error.Trim());
        Assert.DoesNotContain("Scenario received", run.Output, StringComparison.Ordinal);
    }

    /// <summary>The task instance id of the demo's RestCall whose line contains <paramref name="requestText"/>.</summary>
    private static string TaskOfRestCall(SampleRun run, string requestText)
    {
        var line = Assert.Single(Lines(run), l => l.StartsWith("RestCall: ", StringComparison.Ordinal) && l.Contains(requestText, StringComparison.Ordinal));
        var match = Regex.Match(line, @"→ 202 task (?<task>[0-9a-f-]{36}) job \S+$");
        Assert.True(match.Success, $"The RestCall was not accepted with 202: {line}{run}");
        return match.Groups["task"].Value;
    }

    private static string SingleReceived(SampleRun run, string status, string taskInstanceId)
    {
        var lines = ReceivedLines(run, status, taskInstanceId);
        Assert.True(lines.Count == 1, $"Expected one {status} status for task {taskInstanceId}, found {lines.Count}.{run}");
        return lines[0];
    }

    private static List<string> ReceivedLines(SampleRun run, string status, string taskInstanceId)
        => Lines(run)
            .Where(l => Regex.IsMatch(l, $@"^Scenario received: {status}\s+task {Regex.Escape(taskInstanceId)}\s"))
            .ToList();

    private static string[] Lines(SampleRun run) => run.Output.Split('\n', StringSplitOptions.TrimEntries);

    private static async Task<SampleRun> RunSampleAsync(string[] arguments, Dictionary<string, string> environment)
    {
        var sampleAssembly = SampleAssemblyPath();
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The sample's own directory: its content root, where its appsettings.json is.
            WorkingDirectory = Path.GetDirectoryName(sampleAssembly)!,
        };
        start.ArgumentList.Add(sampleAssembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Configuration keys are case-insensitive, environment variables on Linux are not: clear every spelling.
        foreach (var name in start.Environment.Keys.Where(k => SettingsToClear.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ProcessTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"The sample did not exit within {ProcessTimeout.TotalSeconds} s and was killed.{new SampleRun(-1, await output, await error)}");
        }

        return new SampleRun(process.ExitCode, await output, await error);
    }

    /// <summary>
    /// The sample as built next to this test assembly: same configuration, same target framework, under the
    /// repository root (the directory holding Scenario.Receiver.sln).
    /// </summary>
    private static string SampleAssemblyPath()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Scenario.Receiver.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, $"No Scenario.Receiver.sln above {AppContext.BaseDirectory}.");
        var configuration = typeof(SampleDemoTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        // This assembly's framework, not AppContext.TargetFrameworkName: that one is the test host's.
        var framework = new FrameworkName(typeof(SampleDemoTests).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName).Version;
        var path = Path.Combine(root.FullName, "examples", SampleName, "bin", configuration, $"net{framework.Major}.{framework.Minor}", SampleName + ".dll");
        Assert.True(File.Exists(path), $"The sample is not built at {path}: build the solution (dotnet test builds it through the test project's reference).");
        return path;
    }

    /// <summary>The dotnet host that runs this test (the CLI passes its path on), else the one on the PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        var processPath = Environment.ProcessPath;
        return processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "dotnet" ? processPath : "dotnet";
    }

    private sealed record SampleRun(int ExitCode, string Output, string Error)
    {
        public override string ToString()
            => $"{Environment.NewLine}--- stdout ---{Environment.NewLine}{Output}{Environment.NewLine}--- stderr ---{Environment.NewLine}{Error}";
    }
}
