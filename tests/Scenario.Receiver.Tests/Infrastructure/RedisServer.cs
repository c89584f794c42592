using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// A throwaway Redis server for the tests on Hangfire.Redis.StackExchange, like <see cref="PostgresServer"/>:
/// Debian's <c>redis-server</c> on a free loopback port, its working folder a temporary one, nothing persisted (no RDB
/// snapshots, no append-only file), stopped and removed on dispose. Tests share one (<see cref="SharedRedisServer"/>),
/// each under a key prefix of its own; a test that stops its server takes one of its own.
/// </summary>
/// <remarks>
/// Without <c>redis-server</c> the tests skip with <see cref="UnavailableReason"/>, except when <c>CI=true</c>: there a
/// missing binary fails the run, because CI must prove what skipping hides.
/// </remarks>
public sealed class RedisServer : IAsyncLifetime
{
    private const string Binary = "redis-server";

    // A server starts in milliseconds; half a minute means something is wrong.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<string> _output = new();
    private string? _binary;
    private string? _folder;
    private Process? _process;
    private int _prefixes;

    public bool IsAvailable => UnavailableReason is null && Port != 0;

    /// <summary>Why the Redis tests skip, or null when the server runs.</summary>
    public string? UnavailableReason { get; private set; }

    public int Port { get; private set; }

    /// <summary>StackExchange.Redis's configuration string for this server.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    private static bool IsCi => Environment.GetEnvironmentVariable("CI") is { } ci && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    public async Task InitializeAsync()
    {
        _binary = FindBinary();
        if (_binary is null)
        {
            const string reason = "redis-server was found neither on PATH nor in /usr/bin; install Debian's redis-server package (.ci/run does) to run the Redis tests.";
            if (IsCi)
            {
                throw new InvalidOperationException($"CI=true, so the Redis tests must run, not skip: {reason}");
            }

            UnavailableReason = reason;
            return;
        }

        _folder = Path.Combine(Path.GetTempPath(), "scenario-redis-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_folder);

        // The port is chosen free, then bound by redis-server a moment later: another process could take it in
        // between, so a failed start is tried again on a new port.
        Exception? lastFailure = null;
        for (var attempt = 0; attempt < 3 && Port == 0; attempt++)
        {
            var port = FreeLoopbackPort();
            try
            {
                await StartOnAsync(port);
                Port = port;
            }
            catch (InvalidOperationException ex)
            {
                lastFailure = ex;
            }
        }

        if (Port == 0)
        {
            throw new InvalidOperationException("redis-server did not start.", lastFailure);
        }
    }

    /// <summary>A key prefix no other test uses, for Hangfire.Redis.StackExchange's <c>RedisStorageOptions.Prefix</c>.</summary>
    public string NewPrefix()
        => string.Create(CultureInfo.InvariantCulture, $"{{scenario-{Interlocked.Increment(ref _prefixes)}-{Guid.NewGuid().ToString("N")[..8]}}}:");

    /// <summary>
    /// Stops the server as a crash or a failover would (SIGKILL: clients are cut off, new connections refused) for an
    /// outage test; nothing was persisted, so <see cref="StartAgainAsync"/> brings it back empty, on the same port.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts the server stopped by <see cref="StopAsync"/> again, on the same port.</summary>
    public Task StartAgainAsync() => StartOnAsync(Port);

    public async Task DisposeAsync()
    {
        if (_folder is null)
        {
            return;
        }

        try
        {
            await StopAsync();
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task StartOnAsync(int port)
    {
        var start = new ProcessStartInfo(_binary!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _folder!,
        };
        foreach (var argument in new[]
        {
            "--port", port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            // No daemon: the test process owns it and kills it.
            "--daemonize", "no",
            "--dir", _folder!,
            // Nothing persisted: a test server holds nothing worth keeping, and a restart after an outage starts empty.
            "--save", string.Empty,
            "--appendonly", "no",
            "--protected-mode", "yes",
            "--loglevel", "warning",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {_binary}.");
        process.OutputDataReceived += (_, line) => Collect(line.Data);
        process.ErrorDataReceived += (_, line) => Collect(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + StartTimeout;
        while (!await AnswersPingAsync(port))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await StopAsync();
                throw new InvalidOperationException($"redis-server on port {port} did not answer PING within {StartTimeout.TotalSeconds} s: {string.Join(Environment.NewLine, _output)}");
            }

            await Task.Delay(20);
        }
    }

    private static async Task<bool> AnswersPingAsync(int port)
    {
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
            {
                EndPoints = { { IPAddress.Loopback, port } },
                AbortOnConnectFail = true,
                ConnectTimeout = 1000,
            });
            await connection.GetDatabase().PingAsync();
            return true;
        }
        catch (RedisConnectionException)
        {
            return false;
        }
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private static string? FindBinary()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return path.Append("/usr/bin").Append("/usr/sbin")
            .Select(folder => Path.Combine(folder, Binary))
            .FirstOrDefault(File.Exists);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
