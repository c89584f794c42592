using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.Versioning;
using Scenario.Receiver.Testing;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.ScaleOut;

/// <summary>
/// One instance of the sample service in a process of its own (<c>dotnet Scenario.Receiver.Sample.dll</c>),
/// on PostgreSQL job storage and a Testing stand-in as its Scenario, so a test can kill it for real; or its pricing
/// runs on Redis (<see cref="StartOnRedisAsync"/>).
/// </summary>
public sealed class SampleProcess : IDisposable
{
    private const string SampleName = "Scenario.Receiver.Sample";

    // Starting includes preparing Hangfire's schema in PostgreSQL; a minute means it is stuck.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private SampleProcess(Process process, string serverName, Uri baseAddress)
    {
        _process = process;
        ServerName = serverName;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        RestCall = new ScenarioRestCall(Client);
    }

    /// <summary>The Hangfire server name, lower case as Hangfire writes it into server ids.</summary>
    public string ServerName { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public ScenarioRestCall RestCall { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts an instance and returns once it answers HTTP. <paramref name="workerCount"/> is set so that the
    /// test's tasks all run at once whatever the machine's core count. <paramref name="invisibilityTimeout"/>, when
    /// given, replaces the sample's (one minute) through its <c>Hangfire:InvisibilityTimeout</c> setting.
    /// </summary>
    public static Task<SampleProcess> StartAsync(string serverName, string hangfireConnectionString, ScenarioStandIn scenario, int workerCount, TimeSpan? invisibilityTimeout = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Hangfire"] = hangfireConnectionString,
        };
        if (invisibilityTimeout is { } timeout)
        {
            settings["Hangfire__InvisibilityTimeout"] = timeout.ToString("c", CultureInfo.InvariantCulture);
        }

        return StartAsync(SampleAssemblyPath(), [], serverName, scenario, workerCount, settings);
    }

    /// <summary>
    /// Starts the sample's pricing runs on Hangfire.Redis.StackExchange instead (<see cref="RedisInstanceProgram"/>, this
    /// test assembly run as a program), under the test's key <paramref name="prefix"/> on the server.
    /// </summary>
    public static Task<SampleProcess> StartOnRedisAsync(string serverName, string redisConfiguration, string prefix, ScenarioStandIn scenario, int workerCount, TimeSpan invisibilityTimeout)
        => StartAsync(
            typeof(RedisInstanceProgram).Assembly.Location,
            [RedisInstanceProgram.Switch],
            serverName,
            scenario,
            workerCount,
            new Dictionary<string, string>
            {
                [EnvironmentName(RedisInstanceProgram.ConfigurationSetting)] = redisConfiguration,
                [EnvironmentName(RedisInstanceProgram.PrefixSetting)] = prefix,
                [EnvironmentName(RedisInstanceProgram.InvisibilityTimeoutSetting)] = invisibilityTimeout.ToString("c", CultureInfo.InvariantCulture),
            });

    private static string EnvironmentName(string setting) => setting.Replace(":", "__", StringComparison.Ordinal);

    private static async Task<SampleProcess> StartAsync(string assembly, string[] arguments, string serverName, ScenarioStandIn scenario, int workerCount, Dictionary<string, string> settings)
    {
        // The port is chosen free, then bound by the sample a moment later: a test host starting beside it on a
        // port of the system's choosing may take it in between, so a sample that could not bind it starts again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnAFreePortAsync(assembly, arguments, serverName, scenario, workerCount, settings);
            }
            catch (InvalidOperationException ex) when (attempt < 3 && ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // That instance has exited; the next one gets another port.
            }
        }
    }

    private static async Task<SampleProcess> StartOnAFreePortAsync(string assembly, string[] arguments, string serverName, ScenarioStandIn scenario, int workerCount, Dictionary<string, string> settings)
    {
        var port = FreeLoopbackPort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Its content root, where its appsettings.json is.
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_URLS"] = baseAddress.ToString().TrimEnd('/');
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Scenario__BaseUrl"] = scenario.BaseUrl.ToString();
        start.Environment["Scenario__ApiKey"] = scenario.ApiKey;
        start.Environment["Hangfire__WorkerCount"] = workerCount.ToString(CultureInfo.InvariantCulture);
        start.Environment["Hangfire__ServerName"] = serverName;
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var instance = new SampleProcess(process, serverName.ToLowerInvariant(), baseAddress);
        process.OutputDataReceived += (_, line) => instance.Collect(line.Data);
        process.ErrorDataReceived += (_, line) => instance.Collect(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await instance.WaitUntilAnsweringAsync();
            return instance;
        }
        catch
        {
            instance.Dispose();
            throw;
        }
    }

    /// <summary>What a <c>kill -9</c> does: no shutdown, no requeue, no goodbye to the storage.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>The process's recent output, for failure messages.</summary>
    public string RecentOutput(int lines = 60)
        => $"{Environment.NewLine}--- {ServerName} (last {lines} lines) ---{Environment.NewLine}{string.Join(Environment.NewLine, _output.TakeLast(lines))}";

    public void Dispose()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private async Task WaitUntilAnsweringAsync()
    {
        try
        {
            await Await.UntilAsync(IsAnsweringAsync, $"the sample {ServerName} answers", StartTimeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"The sample {ServerName} did not answer within {StartTimeout.TotalSeconds} s.{RecentOutput()}", ex);
        }
    }

    private async Task<bool> IsAnsweringAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"The sample {ServerName} exited with {_process.ExitCode} while starting.{RecentOutput()}");
        }

        try
        {
            // The sample's own dashboard (open to local requests): Kestrel is listening and the app is built. Not
            // just any answer: on a port the sample could not bind, another test's host may be the one answering.
            using var response = await Client.GetAsync(new Uri("/hangfire", UriKind.Relative));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// The sample as built next to this test assembly (same configuration and framework, under the directory
    /// holding Scenario.Receiver.sln); the test project's reference to it makes <c>dotnet test</c> build it.
    /// </summary>
    private static string SampleAssemblyPath()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Scenario.Receiver.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"No Scenario.Receiver.sln above {AppContext.BaseDirectory}.");
        }

        // This assembly's own attributes: AppContext.TargetFrameworkName is the test host's, which may be older.
        var assembly = typeof(SampleProcess).Assembly;
        var configuration = assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var framework = new FrameworkName(assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName).Version;
        var path = Path.Combine(root.FullName, "examples", SampleName, "bin", configuration, $"net{framework.Major}.{framework.Minor}", SampleName + ".dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"The sample is not built at {path}: build the solution.");
    }

    /// <summary>The dotnet host that runs this test (the CLI passes its path on), else the one on the PATH.</summary>
    private static string DotnetHost()
        => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath) ? hostPath : "dotnet";
}
