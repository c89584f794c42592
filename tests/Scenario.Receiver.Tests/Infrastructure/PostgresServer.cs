using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server for the tests that need a real one (the scale-out tests): initdb into a
/// temporary folder, pg_ctl on a free loopback port, one database per test, all stopped and removed on
/// dispose. One is shared by the run (<see cref="SharedPostgresServer"/>); a test that stops its server takes one of
/// its own as a class fixture.
/// </summary>
/// <remarks>
/// Without the server binaries the tests skip with <see cref="UnavailableReason"/>, except when
/// <c>CI=true</c>: there a missing PostgreSQL fails the run, because CI must prove what skipping hides.
/// </remarks>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string SuperUser = "postgres";

    // initdb and the start of a server take a few seconds; a minute means something is wrong.
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private string? _folder;
    private string? _pgCtl;
    private bool _runAsPostgresUser;
    private int _port;
    private string? _serverOptions;
    private int _databases;

    public bool IsAvailable => UnavailableReason is null && _port != 0;

    /// <summary>Why the PostgreSQL tests skip, or null when the server runs.</summary>
    public string? UnavailableReason { get; private set; }

    private string DataFolder => Path.Combine(_folder!, "data");

    private static bool IsCi => Environment.GetEnvironmentVariable("CI") is { } ci && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    public async Task InitializeAsync()
    {
        var binaries = FindBinaries();
        if (binaries is null)
        {
            const string reason = "PostgreSQL's server binaries (initdb, pg_ctl) were found neither under /usr/lib/postgresql/*/bin nor on PATH; install Debian's postgresql package (.ci/run does) to run the PostgreSQL tests.";
            if (IsCi)
            {
                throw new InvalidOperationException($"CI=true, so the PostgreSQL tests must run, not skip: {reason}");
            }

            UnavailableReason = reason;
            return;
        }

        var (initdb, pgCtl) = binaries.Value;
        _pgCtl = pgCtl;

        // initdb refuses to run as root (the server would own everything); as root, the binaries run as
        // the postgres user the Debian package creates, in a folder handed over to it.
        _runAsPostgresUser = await IsRootAsync();
        var tempRoot = _runAsPostgresUser ? "/tmp" : Path.GetTempPath(); // root's own temp may be closed to postgres
        _folder = Path.Combine(tempRoot, "scenario-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_folder);
        var socketFolder = Path.Combine(_folder, "socket");
        Directory.CreateDirectory(socketFolder);
        if (_runAsPostgresUser)
        {
            await RunAsync("chown", ["-R", $"{SuperUser}:", _folder], asPostgresUser: false);
        }

        // No fsync and trust on loopback: a test server holds nothing worth keeping and no one else can reach it.
        await RunAsync(initdb, ["-D", DataFolder, "-U", SuperUser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"], _runAsPostgresUser);

        // The port is chosen free, then bound by postgres a moment later: another process could take it in
        // between, so a failed start is tried again on a new port.
        Exception? lastFailure = null;
        for (var attempt = 0; attempt < 3 && _port == 0; attempt++)
        {
            var port = FreeLoopbackPort();
            var serverOptions = string.Join(' ',
                $"-p {port.ToString(CultureInfo.InvariantCulture)}",
                "-c listen_addresses=127.0.0.1",
                $"-c unix_socket_directories={socketFolder}",
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                // Several hosts, each with its own connection pool, plus sample processes, share one server.
                "-c max_connections=400");
            try
            {
                await RunAsync(pgCtl, ["-D", DataFolder, "-l", Path.Combine(_folder, "server.log"), "-o", serverOptions, "-w", "-t", "60", "start"], _runAsPostgresUser);
                _port = port;
                _serverOptions = serverOptions;
            }
            catch (InvalidOperationException ex)
            {
                lastFailure = ex;
            }
        }

        if (_port == 0)
        {
            throw new InvalidOperationException($"PostgreSQL did not start; its log: {ReadServerLog()}", lastFailure);
        }
    }

    /// <summary>Creates an empty database of its own for a test and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        if (!IsAvailable)
        {
            throw new InvalidOperationException($"No PostgreSQL server: {UnavailableReason}");
        }

        var name = $"scenario_{Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture)}_{Guid.NewGuid().ToString("N")[..8]}";
        // Not pooled: a pooled connection would be broken after an outage test's StopAsync/StartAgainAsync.
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync();
#pragma warning disable CA2100 // The name is made above from a counter and a GUID, nothing from outside.
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
#pragma warning restore CA2100
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    /// <summary>
    /// Stops the server as an operator or a failover would (<c>pg_ctl stop -m fast</c>: clients are
    /// disconnected, new connections refused) for an outage test; <see cref="StartAgainAsync"/> brings it back
    /// on the same port, with every database. Pools are left as they are: the clients see the outage.
    /// </summary>
    public Task StopAsync() => RunAsync(_pgCtl!, ["-D", DataFolder, "-m", "fast", "-w", "-t", "60", "stop"], _runAsPostgresUser);

    /// <summary>Starts the server stopped by <see cref="StopAsync"/> again, on the same port.</summary>
    public Task StartAgainAsync()
        => RunAsync(_pgCtl!, ["-D", DataFolder, "-l", Path.Combine(_folder!, "server.log"), "-o", _serverOptions!, "-w", "-t", "60", "start"], _runAsPostgresUser);

    /// <summary>Runs one SQL query that returns a single number, e.g. a count of Hangfire's rows.</summary>
    public static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
#pragma warning disable CA2100 // Test code: the queries are constants written in the tests.
        await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public async Task DisposeAsync()
    {
        if (_folder is null)
        {
            return;
        }

        try
        {
            if (_port != 0)
            {
                // Pooled connections would otherwise outlive the server and fail on their next use.
                NpgsqlConnection.ClearAllPools();
                await RunAsync(_pgCtl!, ["-D", DataFolder, "-m", "immediate", "-w", "-t", "60", "stop"], _runAsPostgresUser);
            }
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port,
        Username = SuperUser,
        Database = database,
        Timeout = 15,
        CommandTimeout = 60,
    }.ConnectionString;

    private string ReadServerLog()
    {
        var log = Path.Combine(_folder!, "server.log");
        return File.Exists(log) ? File.ReadAllText(log) : "(no log written)";
    }

    /// <summary>The newest version's initdb and pg_ctl from Debian's layout, else from PATH.</summary>
    private static (string Initdb, string PgCtl)? FindBinaries()
    {
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(folder => (Folder: folder, Version: int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : -1))
                .Where(candidate => File.Exists(Path.Combine(candidate.Folder, "bin", "initdb")) && File.Exists(Path.Combine(candidate.Folder, "bin", "pg_ctl")))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => Path.Combine(candidate.Folder, "bin"))
                .FirstOrDefault();
            if (newest is not null)
            {
                return (Path.Combine(newest, "initdb"), Path.Combine(newest, "pg_ctl"));
            }
        }

        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var onPath = path.FirstOrDefault(folder => File.Exists(Path.Combine(folder, "initdb")) && File.Exists(Path.Combine(folder, "pg_ctl")));
        return onPath is null ? null : (Path.Combine(onPath, "initdb"), Path.Combine(onPath, "pg_ctl"));
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> IsRootAsync()
        => (await RunAsync("id", ["-u"], asPostgresUser: false)).Trim() == "0";

    /// <summary>Runs a command to its end and returns its output; a non-zero exit throws with the output.</summary>
    private static async Task<string> RunAsync(string fileName, IReadOnlyList<string> arguments, bool asPostgresUser)
    {
        var start = new ProcessStartInfo
        {
            FileName = asPostgresUser ? "runuser" : fileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgresUser)
        {
            foreach (var argument in new[] { "-u", SuperUser, "--", fileName })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The server's own messages stay in English, whatever the machine's locale: they end up in exceptions.
        start.Environment["LC_ALL"] = "C";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        using var timeout = new CancellationTokenSource(CommandTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            var text = new StringBuilder().Append(await output).Append(await error).ToString();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{string.Join(' ', start.ArgumentList.Prepend(start.FileName))} exited with {process.ExitCode.ToString(CultureInfo.InvariantCulture)}: {text}");
            }

            return await output;
        }
        catch (OperationCanceledException ex)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish within {CommandTimeout}.", ex);
        }
    }
}
